import { isApAddress } from '../../netdb/apAddress.js'
import { DecodeError } from '../../wire/index.js'
import { InboundFirewall } from '../firewall/inboundFirewall.js'
import {
  buildIcmpv6Error, ICMPV6_DESTINATION_UNREACHABLE, ICMPV6_PACKET_TOO_BIG, UNREACHABLE_ADDRESS, UNREACHABLE_ADMIN_PROHIBITED
} from '../packets/icmpv6Messages.js'
import { summarizePacket, type PacketSummary } from '../packets/packetSummary.js'
import { type DatagramChannel, type DatagramSessions } from './datagramSessions.js'
import { type DestinationEntry, type OpenDestination, type OpeningDestination } from './destinationEntry.js'
import { resolveRouterLimits, type PacketRouterOptions, type RouterLimits } from './routerOptions.js'
import {
  newChannelCounters, newIcmpCounters, newInboundCounters, newOutboundCounters, type RouterStats
} from './routerStats.js'
import { TokenBucket } from '../../rateLimit/tokenBucket.js'

/**
 * Routes IPv6 packets between the TUN device and sessions (PROTOCOL.md §9).
 *
 * Outbound (`handleOutbound`, packets our host wrote to the TUN device): IPv6
 * from one of our AP addresses to another address in fd50::/16 goes to the
 * channel for that address, opened on demand through `sessions.channelTo`
 * (packets wait in a bounded queue meanwhile). A failed open answers with
 * ICMPv6 Destination Unreachable (address unreachable), an oversize packet
 * with Packet Too Big; both rate limited. Everything else is dropped and
 * counted.
 *
 * Inbound (`deliverInbound`, datagrams received on a session): accepted only
 * from the channel's authenticated AP address to one of ours, then filtered by
 * the InboundFirewall and written to the host.
 *
 * No method throws because of a packet's content.
 */
export class PacketRouter {
  readonly limits: RouterLimits
  readonly firewall: InboundFirewall
  private readonly sessions: DatagramSessions
  private readonly deliverToHost: (packet: Buffer) => void
  private readonly now: () => number
  private readonly local = new Set<string>()
  private readonly destinations = new Map<string, DestinationEntry>()
  /** Addresses whose open failed recently → end of the hold (insertion order: oldest first; at most maxChannels). */
  private readonly unreachable = new Map<string, number>()
  private readonly icmpBucket: TokenBucket
  private readonly sweepTimer: NodeJS.Timeout | null
  private readonly outbound = newOutboundCounters()
  private readonly inbound = newInboundCounters()
  private readonly icmp = newIcmpCounters()
  private readonly channels = newChannelCounters()
  private openingCount = 0
  private queuedBytes = 0
  private queuedPackets = 0
  private closed = false

  constructor (options: PacketRouterOptions) {
    this.limits = resolveRouterLimits(options)
    this.sessions = options.sessions
    this.deliverToHost = options.deliverToHost
    this.now = options.now ?? Date.now
    this.setLocalAddresses(options.localAddresses)
    this.firewall = new InboundFirewall(options.firewall, this.now)
    this.icmpBucket = new TokenBucket(this.limits.icmpPerSecond, this.limits.icmpBurst, this.now)
    this.sweepTimer = this.limits.sweepIntervalMs > 0 ? setInterval(() => { this.sweep() }, this.limits.sweepIntervalMs) : null
    this.sweepTimer?.unref()
  }

  /** Replaces the set of our AP addresses (each 16 bytes in fd50::/16). */
  setLocalAddresses (addresses: readonly Uint8Array[]): void {
    for (const address of addresses) {
      if (!isApAddress(address)) throw new RangeError('local addresses must be AP addresses (16 bytes inside fd50::/16)')
    }
    this.local.clear()
    for (const address of addresses) this.local.add(hex(address))
  }

  get isClosed (): boolean {
    return this.closed
  }

  /** A snapshot of every counter and gauge, JSON-ready. */
  get stats (): RouterStats {
    let open = 0
    for (const entry of this.destinations.values()) {
      if (entry.state === 'open') open++
    }
    const opening = this.destinations.size - open
    const unreachable = this.unreachable.size
    return {
      outbound: { ...this.outbound },
      inbound: { ...this.inbound },
      icmp: { ...this.icmp },
      channels: { ...this.channels, open, opening, unreachable, queuedPackets: this.queuedPackets, queuedBytes: this.queuedBytes },
      firewall: this.firewall.stats
    }
  }

  /** For the TUN device's 'packets' event. */
  handleOutboundBatch (packets: readonly Buffer[]): void {
    for (const packet of packets) this.handleOutbound(packet)
  }

  /** One packet our host sent. The router may keep `packet` (queued): the caller must not reuse it. */
  handleOutbound (packet: Buffer): void {
    this.outbound.packets++
    if (this.closed) { this.outbound.afterClose++; return }
    try {
      this.routeOutbound(packet)
    } catch {
      this.outbound.internalError++
    }
  }

  /** Every datagram received on a session, with the channel of that session. */
  deliverInbound (channel: DatagramChannel, packet: Buffer): void {
    this.inbound.packets++
    if (this.closed) { this.inbound.afterClose++; return }
    try {
      this.routeInbound(channel, packet)
    } catch {
      this.inbound.internalError++
    }
  }

  /** The session behind `channel` ended: forget it (the next packet opens a new one). */
  channelClosed (channel: DatagramChannel): void {
    const key = hex(channel.peerAp)
    const entry = this.destinations.get(key)
    if (entry?.state === 'open' && entry.channel === channel) {
      this.destinations.delete(key)
      this.channels.forgottenClosed++
    }
  }

  /** Forgets idle channels, ended holds and expired flows. Runs on a timer too. */
  sweep (): void {
    const now = this.now()
    for (const [key, entry] of this.destinations) {
      if (entry.state === 'open' && entry.lastUsed + this.limits.idleChannelMs <= now) {
        this.destinations.delete(key)
        this.channels.forgottenIdle++
      }
    }
    for (const [key, until] of this.unreachable) {
      if (until <= now) this.unreachable.delete(key)
    }
    this.firewall.sweep()
  }

  /** Aborts every open in progress, drops queued packets and forgets everything. Idempotent. */
  close (): void {
    if (this.closed) return
    this.closed = true
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer)
    for (const entry of this.destinations.values()) {
      if (entry.state === 'opening') this.endOpening(entry)
    }
    this.destinations.clear()
    this.unreachable.clear()
    this.firewall.clear()
  }

  private isLocal (address: Buffer): boolean {
    return this.local.has(hex(address))
  }

  private routeOutbound (packet: Buffer): void {
    if (packet.length === 0 || (packet[0] as number) >> 4 !== 6) { this.outbound.notIpv6++; return }
    const summary = summarizeOrNull(packet)
    if (summary === null) { this.outbound.malformed++; return }
    if (!isApAddress(summary.destination)) { this.outbound.notApDestination++; return }
    if (!this.isLocal(summary.source)) { this.outbound.foreignSource++; return }
    if (this.isLocal(summary.destination)) { this.outbound.ownDestination++; return }
    this.firewall.noteOutbound(summary)

    const key = hex(summary.destination)
    let entry = this.destinations.get(key)
    if (entry?.state === 'open' && entry.channel.closed === true) {
      this.destinations.delete(key)
      this.channels.forgottenClosed++
      entry = undefined
    }
    if (entry === undefined) {
      const until = this.unreachable.get(key)
      if (until !== undefined && until > this.now()) { this.answerUnreachable(packet, summary); return }
      this.unreachable.delete(key)
      if (this.openingCount >= this.limits.maxOpening) { this.outbound.openingLimit++; return }
      entry = this.startOpening(key, Buffer.from(summary.destination))
    }
    if (entry.state === 'open') this.sendOnChannel(entry, packet, summary)
    else this.enqueue(entry, packet)
  }

  private sendOnChannel (entry: OpenDestination, packet: Buffer, summary: PacketSummary): void {
    entry.lastUsed = this.now()
    const channel = entry.channel
    if (packet.length > channel.maxPacket) {
      this.outbound.tooBig++
      if (summary.icmp?.kind !== 'error') {
        this.sendIcmpToHost(buildIcmpv6Error(summary.destination, summary.source, ICMPV6_PACKET_TOO_BIG, 0, channel.maxPacket, packet), 'packetTooBigSent')
      }
      return
    }
    let sent = false
    try { sent = channel.send(packet) } catch { sent = false }
    if (sent) this.outbound.forwarded++
    else this.outbound.channelDropped++
  }

  private answerUnreachable (packet: Buffer, summary: PacketSummary): void {
    this.outbound.unreachable++
    // RFC 4443 §2.4 (e): never an error about an error.
    if (summary.icmp?.kind === 'error') return
    this.sendIcmpToHost(buildIcmpv6Error(summary.destination, summary.source, ICMPV6_DESTINATION_UNREACHABLE, UNREACHABLE_ADDRESS, 0, packet), 'unreachableSent')
  }

  private sendIcmpToHost (message: Buffer, counter: 'unreachableSent' | 'packetTooBigSent'): void {
    if (!this.icmpBucket.take()) { this.icmp.rateLimited++; return }
    this.icmp[counter]++
    this.writeToHost(message)
  }

  private writeToHost (packet: Buffer): boolean {
    try {
      this.deliverToHost(packet)
      return true
    } catch {
      this.inbound.hostWriteFailed++
      return false
    }
  }

  private startOpening (key: string, ap: Buffer): OpeningDestination {
    const abort = new AbortController()
    // On timeout the open fails even if channelTo ignores the signal and never settles.
    const timer = setTimeout(() => {
      abort.abort(new Error('opening the session timed out'))
      this.openFailed(key, entry)
    }, this.limits.openTimeoutMs)
    timer.unref()
    const entry: OpeningDestination = { state: 'opening', ap, abort, timer, queue: [], queuedBytes: 0 }
    this.destinations.set(key, entry)
    this.openingCount++
    let pending: Promise<DatagramChannel>
    try {
      pending = Promise.resolve(this.sessions.channelTo(ap, abort.signal))
    } catch (error) {
      pending = Promise.reject(error)
    }
    pending.then(
      (channel) => { this.opened(key, entry, channel) },
      () => { this.openFailed(key, entry) }
    ).catch(() => { this.outbound.internalError++ })
    return entry
  }

  private enqueue (entry: OpeningDestination, packet: Buffer): void {
    const size = packet.length
    if (entry.queue.length >= this.limits.maxQueuedPacketsPerDestination ||
        entry.queuedBytes + size > this.limits.maxQueuedBytesPerDestination ||
        this.queuedBytes + size > this.limits.maxQueuedBytes) {
      this.outbound.queueFull++
      return
    }
    entry.queue.push(packet)
    entry.queuedBytes += size
    this.queuedBytes += size
    this.queuedPackets++
    this.outbound.queued++
  }

  /** Stops an opening: clears its timer, aborts channelTo unless it succeeded, releases its queue; returns the queued packets. */
  private endOpening (entry: OpeningDestination, succeeded = false): Buffer[] {
    clearTimeout(entry.timer)
    if (!succeeded && !entry.abort.signal.aborted) entry.abort.abort(new Error('no longer needed'))
    const queue = entry.queue
    entry.queue = []
    this.queuedBytes -= entry.queuedBytes
    this.queuedPackets -= queue.length
    entry.queuedBytes = 0
    this.openingCount--
    return queue
  }

  private opened (key: string, entry: OpeningDestination, channel: DatagramChannel): void {
    if (this.closed || this.destinations.get(key) !== entry) return
    if (!Buffer.isBuffer(channel.peerAp) || !channel.peerAp.equals(entry.ap)) {
      this.channels.openMismatch++
      this.openFailed(key, entry)
      return
    }
    this.channels.opened++
    this.makeOpen(key, entry, channel, true)
  }

  /** Turns `key` into an open destination on `channel`, flushing what an opening had queued. */
  private makeOpen (key: string, previous: DestinationEntry | undefined, channel: DatagramChannel, openedByUs = false): void {
    const queue = previous?.state === 'opening' ? this.endOpening(previous, openedByUs) : []
    this.evictIfFull(key)
    const open: OpenDestination = { state: 'open', channel, lastUsed: this.now() }
    this.destinations.set(key, open)
    for (const packet of queue) {
      const summary = summarizeOrNull(packet)
      if (summary !== null) this.sendOnChannel(open, packet, summary)
    }
  }

  private evictIfFull (adding: string): void {
    let open = 0
    let stalest: [string, OpenDestination] | null = null
    for (const [key, entry] of this.destinations) {
      if (entry.state !== 'open' || key === adding) continue
      open++
      if (stalest === null || entry.lastUsed < stalest[1].lastUsed) stalest = [key, entry]
    }
    if (open >= this.limits.maxChannels && stalest !== null) {
      this.destinations.delete(stalest[0])
      this.channels.evicted++
    }
  }

  private openFailed (key: string, entry: OpeningDestination): void {
    if (this.closed || this.destinations.get(key) !== entry) return
    this.channels.openFailed++
    const queue = this.endOpening(entry)
    this.destinations.delete(key)
    this.unreachable.delete(key)
    while (this.unreachable.size >= this.limits.maxChannels) {
      const oldest = this.unreachable.keys().next()
      if (oldest.done === true) break
      this.unreachable.delete(oldest.value)
    }
    if (this.limits.maxChannels > 0) this.unreachable.set(key, this.now() + this.limits.unreachableHoldMs)
    for (const packet of queue) {
      const summary = summarizeOrNull(packet)
      if (summary !== null) this.answerUnreachable(packet, summary)
    }
  }

  private routeInbound (channel: DatagramChannel, packet: Buffer): void {
    const summary = summarizeOrNull(packet)
    if (summary === null) { this.inbound.malformed++; return }
    if (!summary.source.equals(channel.peerAp)) { this.inbound.forgedSource++; return }
    if (!this.isLocal(summary.destination)) { this.inbound.notOurDestination++; return }
    this.noteInboundChannel(channel)

    const verdict = this.firewall.checkInbound(summary)
    if (verdict.accept) {
      if (this.writeToHost(packet)) this.inbound.delivered++
      return
    }
    this.inbound.firewallDropped++
    if (verdict.refusal && this.firewall.options.refuse === 'prohibited') {
      if (!this.icmpBucket.take()) { this.icmp.rateLimited++; return }
      const reply = buildIcmpv6Error(summary.destination, summary.source, ICMPV6_DESTINATION_UNREACHABLE, UNREACHABLE_ADMIN_PROHIBITED, 0, packet)
      if (reply.length <= channel.maxPacket) {
        try { channel.send(reply) } catch {}
        this.icmp.prohibitedSent++
      }
    }
  }

  /** Traffic from a peer keeps its channel alive; with no open channel to it, ours replies go over this one. */
  private noteInboundChannel (channel: DatagramChannel): void {
    const key = hex(channel.peerAp)
    const entry = this.destinations.get(key)
    if (entry?.state === 'open' && entry.channel.closed !== true) {
      if (entry.channel === channel) entry.lastUsed = this.now()
      return
    }
    if (channel.closed === true) return
    this.unreachable.delete(key)
    this.channels.adopted++
    this.makeOpen(key, entry, channel)
  }
}

function hex (address: Uint8Array): string {
  return Buffer.from(address.buffer, address.byteOffset, address.byteLength).toString('hex')
}

function summarizeOrNull (packet: Buffer): PacketSummary | null {
  try {
    return summarizePacket(packet)
  } catch (error) {
    if (error instanceof DecodeError) return null
    throw error
  }
}
