import { DecodeError } from '../../wire/index.js'
import { ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST } from '../packets/icmpv6Messages.js'
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from '../packets/ipProtocolNumbers.js'
import { summarizeInvokingPacket, summarizePacket, type PacketSummary } from '../packets/packetSummary.js'
import { TokenBucket } from '../../rateLimit/tokenBucket.js'
import { TCP_ACK, TCP_SYN } from '../packets/transportPorts.js'
import { type ListenerLookup } from './hostListeners.js'
import { ICMPV4_DESTINATION_UNREACHABLE, ICMPV4_ECHO_REQUEST, ICMPV4_HOST_UNREACHABLE, isIcmpv4Error } from './icmpTypeMapping.js'
import { buildIcmpv4Error } from './icmpv4Error.js'
import { apKey, type Ipv4AddressMap, type Ipv4AddressMapStats } from './ipv4AddressMap.js'
import { Ipv4FlowTable, type Ipv4FlowKind } from './ipv4FlowTable.js'
import { parseIpv4Packet, type Ipv4Header } from './ipv4Packet.js'
import { translateIpv4ToIpv6 } from './translateToIpv6.js'
import { translateIpv6ToIpv4 } from './translateToIpv4.js'
import { type TranslationDrop } from './translation.js'

export interface Ipv4TranslatorOptions {
  map: Ipv4AddressMap
  /** The node's AP address: what the own IPv4 address stands for. */
  ownAp: Buffer
  /** Packets from the host, IPv6 (as they came, or translated): the packet router's handleOutbound. */
  toRouter: (packet: Buffer) => void
  /** Writes one packet to the TUN device. */
  toHost: (packet: Buffer) => void
  maxFlows?: number
  /** ICMPv4 host unreachable answers to unmapped addresses, per second (and burst); default 100. */
  icmpPerSecond?: number
  /**
   * The host's listeners: a new connection from a peer to a port where only
   * an IPv4 service listens is delivered as IPv4 (the peer mapped to a local
   * address). Without it, everything from peers stays IPv6.
   */
  listeners?: ListenerLookup
  now?: () => number
}

type DropCounters = Record<TranslationDrop, number>

export interface Ipv4TranslatorStats {
  outbound: {
    packets: number
    translated: number
    /** Source is not the node's own IPv4 address. */
    foreignSource: number
    /** Destination outside the handed-out addresses (multicast, broadcast, the prefix's network address). */
    notMapped: number
    /** Destination inside the prefix but mapped to no AP address: answered with ICMP host unreachable. */
    unknownAddress: number
    dropped: DropCounters
  }
  /** `toIpv4Services`: connections from peers delivered as IPv4 because only an IPv4 service listened on the port. */
  inbound: { translated: number, toIpv4Services: number, dropped: DropCounters }
  icmp: { unreachableSent: number, rateLimited: number }
  flows: number
  flowsCreated: number
  flowsEvicted: number
  mappings: Ipv4AddressMapStats
}

/** A cheap look at a packet from a peer: a TCP SYN (without ACK) or a UDP datagram, right after the fixed header. */
function mayOpenConnection (packet: Buffer): boolean {
  const nextHeader = packet[6]
  if (nextHeader === IPPROTO_UDP) return true
  return nextHeader === IPPROTO_TCP && packet.length >= 54 && ((packet[53] as number) & (TCP_SYN | TCP_ACK)) === TCP_SYN
}

function dropCounters (): DropCounters {
  return { malformed: 0, fragment: 0, unmapped: 0, protocol: 0, 'icmp-type': 0, 'extension-headers': 0, 'too-big': 0 }
}

/**
 * IPv4-only programs on this host (TUN issue, item 5): sits between the TUN
 * device and the packet router. IPv4 packets from the node's own address
 * (the mapping prefix's first address) to a mapped address become IPv6
 * packets from the node's AP address to the mapped AP address and go to the
 * router like any other; the flow is remembered. IPv6 packets the router
 * delivers go to the host unchanged, except those of a flow a program opened
 * over IPv4 (and ICMPv6 errors about one), which are translated back.
 *
 * The other way round, a new connection from a peer (a TCP SYN or a UDP
 * datagram the firewall let in) to a port where only an IPv4 service
 * listens (`listeners`) maps the peer's AP address and is delivered as IPv4
 * from that address to our own; the rest of the flow and the service's
 * answers are translated like the flows our programs open.
 *
 * Peers never see IPv4: between nodes every packet is IPv6 between AP
 * addresses, authenticated and filtered exactly as before; each node
 * translates for its own programs only.
 *
 * No method throws because of a packet's content.
 */
export class Ipv4Translator {
  private readonly map: Ipv4AddressMap
  private readonly ownAp: Buffer
  private readonly ownApKey: string
  private readonly toRouter: (packet: Buffer) => void
  private readonly toHost: (packet: Buffer) => void
  private readonly flows: Ipv4FlowTable
  private readonly icmpBucket: TokenBucket
  private readonly outbound = { packets: 0, translated: 0, foreignSource: 0, notMapped: 0, unknownAddress: 0, dropped: dropCounters() }
  private readonly inbound = { translated: 0, toIpv4Services: 0, dropped: dropCounters() }
  private readonly listeners: ListenerLookup | undefined
  private readonly icmp = { unreachableSent: 0, rateLimited: 0 }
  private readonly to6 = (ipv4: number): Buffer | undefined => ipv4 === this.map.ownAddress ? this.ownAp : this.map.apFor(ipv4)
  private readonly to4 = (ap: Buffer): number | undefined => {
    const key = apKey(ap)
    return key === this.ownApKey ? this.map.ownAddress : this.map.addressOf(key)
  }

  constructor (options: Ipv4TranslatorOptions) {
    this.map = options.map
    this.ownAp = Buffer.from(options.ownAp)
    this.ownApKey = apKey(options.ownAp)
    this.toRouter = options.toRouter
    this.toHost = options.toHost
    this.listeners = options.listeners
    const now = options.now ?? Date.now
    this.flows = new Ipv4FlowTable(options.maxFlows, now)
    const rate = options.icmpPerSecond ?? 100
    this.icmpBucket = new TokenBucket(rate, rate, now)
  }

  get stats (): Ipv4TranslatorStats {
    const flowCounters = this.flows.counters
    return {
      outbound: { ...this.outbound, dropped: { ...this.outbound.dropped } },
      inbound: { translated: this.inbound.translated, toIpv4Services: this.inbound.toIpv4Services, dropped: { ...this.inbound.dropped } },
      icmp: { ...this.icmp },
      flows: this.flows.size,
      flowsCreated: flowCounters.created,
      flowsEvicted: flowCounters.evicted,
      mappings: this.map.stats
    }
  }

  /** For the TUN device's 'packets' event: IPv4 packets are translated, everything else goes to the router as it is. */
  handleOutboundBatch (packets: readonly Buffer[]): void {
    for (const packet of packets) {
      if (packet.length > 0 && (packet[0] as number) >> 4 === 4) this.handleOutboundIpv4(packet)
      else this.toRouter(packet)
    }
  }

  /**
   * The router's deliverToHost: IPv6 packets for the host, translated when
   * they belong to an IPv4 flow, or open one to a port where only an IPv4
   * service listens.
   */
  deliverToHost (packet: Buffer): void {
    if (packet.length < 40 || (packet[0] as number) >> 4 !== 6) { this.toHost(packet); return }
    const opening = this.listeners !== undefined && mayOpenConnection(packet)
    if (this.flows.size === 0 && !opening) { this.toHost(packet); return }
    const peer = packet.subarray(8, 24)
    const peerKey = apKey(peer)
    const mapped = this.map.addressOf(peerKey) !== undefined
    if (!mapped && !opening) { this.toHost(packet); return }
    let summary: PacketSummary
    try {
      summary = summarizePacket(packet)
    } catch (error) {
      if (error instanceof DecodeError) { this.toHost(packet); return }
      throw error
    }
    if (!(mapped && this.isIpv4Flow(summary, peerKey)) && !(opening && this.opensIpv4ServiceFlow(summary, peer, peerKey))) {
      this.toHost(packet)
      return
    }
    const result = translateIpv6ToIpv4(packet, this.to4)
    if (result.drop !== undefined) { this.inbound.dropped[result.drop]++; return }
    this.inbound.translated++
    this.toHost(result.packet)
  }

  clear (): void {
    this.flows.clear()
  }

  private handleOutboundIpv4 (packet: Buffer): void {
    this.outbound.packets++
    let header: Ipv4Header
    try {
      header = parseIpv4Packet(packet)
    } catch (error) {
      if (error instanceof DecodeError) { this.outbound.dropped.malformed++; return }
      throw error
    }
    if (header.source !== this.map.ownAddress) { this.outbound.foreignSource++; return }
    if (!this.map.isMappable(header.destination)) { this.outbound.notMapped++; return }
    const peer = this.map.apFor(header.destination)
    if (peer === undefined) {
      this.outbound.unknownAddress++
      this.answerHostUnreachable(packet, header)
      return
    }
    const result = translateIpv4ToIpv6(packet, this.to6)
    if (result.drop !== undefined) { this.outbound.dropped[result.drop]++; return }
    this.noteFlow(packet, header, apKey(peer))
    this.outbound.translated++
    this.toRouter(result.packet)
  }

  private noteFlow (packet: Buffer, header: Ipv4Header, peerKey: string): void {
    const at = header.headerLength
    if (header.protocol === IPPROTO_TCP || header.protocol === IPPROTO_UDP) {
      const kind: Ipv4FlowKind = header.protocol === IPPROTO_TCP ? 'tcp' : 'udp'
      this.flows.note(kind, peerKey, packet.readUInt16BE(at), packet.readUInt16BE(at + 2))
    } else if (header.protocol === IPPROTO_ICMP && packet[at] === ICMPV4_ECHO_REQUEST) {
      this.flows.note('echo', peerKey, packet.readUInt16BE(at + 4), 0)
    }
  }

  /**
   * A first TCP SYN or UDP datagram from the peer to a port where only an
   * IPv4 service listens: maps the peer and remembers the flow (so the rest
   * of it, and the service's answers, are translated too).
   */
  private opensIpv4ServiceFlow (summary: PacketSummary, peer: Buffer, peerKey: string): boolean {
    if (summary.ports === null || summary.fragment !== null) return false
    const kind = summary.protocol === IPPROTO_TCP ? 'tcp' : summary.protocol === IPPROTO_UDP ? 'udp' : null
    if (kind === null || this.listeners?.familyOf(kind, summary.ports.destinationPort) !== 'ipv4-only') return false
    if (this.map.addressFor(peer) === undefined) return false
    this.flows.note(kind, peerKey, summary.ports.destinationPort, summary.ports.sourcePort)
    this.inbound.toIpv4Services++
    return true
  }

  /** Whether a packet from the peer answers a flow opened over IPv4: its ports, its echo identifier, or the packet an error quotes. */
  private isIpv4Flow (summary: PacketSummary, peerKey: string): boolean {
    if ((summary.protocol === IPPROTO_TCP || summary.protocol === IPPROTO_UDP) && summary.ports !== null) {
      return this.flows.matches(summary.protocol === IPPROTO_TCP ? 'tcp' : 'udp', peerKey, summary.ports.destinationPort, summary.ports.sourcePort)
    }
    const icmp = summary.icmp
    if (summary.protocol !== IPPROTO_ICMPV6 || icmp === null) return false
    if (icmp.kind === 'echo') return icmp.type === ICMPV6_ECHO_REPLY && this.flows.matches('echo', peerKey, icmp.identifier, 0)
    if (icmp.kind !== 'error') return false
    const quoted = summarizeInvokingPacket(icmp.invoking)
    if (quoted === null || apKey(quoted.source) !== this.ownApKey || apKey(quoted.destination) !== peerKey) return false
    if ((quoted.protocol === IPPROTO_TCP || quoted.protocol === IPPROTO_UDP) && quoted.ports !== null) {
      return this.flows.matches(quoted.protocol === IPPROTO_TCP ? 'tcp' : 'udp', peerKey, quoted.ports.sourcePort, quoted.ports.destinationPort)
    }
    return quoted.icmpType === ICMPV6_ECHO_REQUEST && quoted.echoIdentifier !== null && this.flows.matches('echo', peerKey, quoted.echoIdentifier, 0)
  }

  /** ICMP host unreachable for a packet to an address of the prefix that no AP address has (never about an ICMP error). */
  private answerHostUnreachable (packet: Buffer, header: Ipv4Header): void {
    if (header.protocol === IPPROTO_ICMP && isIcmpv4Error(packet[header.headerLength] ?? 0)) return
    if (!this.icmpBucket.take()) { this.icmp.rateLimited++; return }
    this.icmp.unreachableSent++
    this.toHost(buildIcmpv4Error(header.destination, header.source, ICMPV4_DESTINATION_UNREACHABLE, ICMPV4_HOST_UNREACHABLE, packet))
  }
}
