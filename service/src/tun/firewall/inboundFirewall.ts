import {
  ICMPV6_DESTINATION_UNREACHABLE, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_PACKET_TOO_BIG,
  ICMPV6_PARAMETER_PROBLEM, ICMPV6_TIME_EXCEEDED
} from '../packets/icmpv6Messages.js'
import { IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from '../packets/ipProtocolNumbers.js'
import { summarizeInvokingPacket, type PacketSummary } from '../packets/packetSummary.js'
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../packets/transportPorts.js'
import { ConnectionTable } from './connectionTable.js'
import { resolveFirewallOptions, type FirewallOptions, type ResolvedFirewallOptions } from './firewallOptions.js'
import { type AcceptReason, type DropReason, type FirewallVerdict } from './firewallVerdict.js'
import { flowKey } from './flowKey.js'
import { FragmentVerdicts } from './fragmentVerdicts.js'
import { type FlowState, type TrackedFlow } from './trackedFlow.js'

/** ICMPv6 errors let in when they quote a packet of one of our flows. */
const RELATED_ERROR_TYPES: ReadonlySet<number> = new Set([
  ICMPV6_DESTINATION_UNREACHABLE, ICMPV6_PACKET_TOO_BIG, ICMPV6_TIME_EXCEEDED, ICMPV6_PARAMETER_PROBLEM
])

export type FirewallCounters = Record<`accepted-${AcceptReason}` | `dropped-${DropReason}`, number>

export interface FirewallStats {
  counters: FirewallCounters
  trackedFlows: number
  flowsCreated: number
  flowsEvicted: number
  flowsExpired: number
  /** Fragmented packets whose later fragments are being let in. */
  fragmentedPackets: number
}

/**
 * The stateful inbound firewall of the TUN router. Outbound packets (from our
 * host) are never filtered; they only create and refresh tracked flows.
 * Inbound packets (from peers, already checked to come from the session's AP
 * address to one of ours) are accepted when they belong to a tracked flow,
 * open a TCP/UDP port in `expose`, are echo requests with `answerPing`, or
 * are ICMPv6 errors quoting a packet of a tracked or exposed flow. Everything
 * else is dropped. Flows whose local port is exposed are not tracked (the
 * exposure lets them in), so a peer cannot fill the table by connecting.
 */
export class InboundFirewall {
  readonly options: ResolvedFirewallOptions
  private readonly table: ConnectionTable
  private readonly fragments: FragmentVerdicts
  private readonly counters: FirewallCounters = {
    'accepted-exposed': 0,
    'accepted-tracked': 0,
    'accepted-ping': 0,
    'accepted-related-error': 0,
    'accepted-fragment': 0,
    'dropped-refused-tcp': 0,
    'dropped-refused-udp': 0,
    'dropped-ping-disabled': 0,
    'dropped-untracked-echo-reply': 0,
    'dropped-untracked-error': 0,
    'dropped-icmp-type': 0,
    'dropped-protocol': 0,
    'dropped-fragment': 0
  }

  constructor (options: FirewallOptions = {}, private readonly now: () => number = Date.now) {
    this.options = resolveFirewallOptions(options)
    this.table = new ConnectionTable(this.options.maxFlows)
    this.fragments = new FragmentVerdicts(this.options.maxFragmentedPackets, this.options.timeouts.fragmentMs)
  }

  get stats (): FirewallStats {
    return {
      counters: { ...this.counters },
      trackedFlows: this.table.size,
      flowsCreated: this.table.counters.created,
      flowsEvicted: this.table.counters.evicted,
      flowsExpired: this.table.counters.expired,
      fragmentedPackets: this.fragments.size
    }
  }

  /** Records a packet our host sends (source: ours, destination: the peer). */
  noteOutbound (packet: PacketSummary): void {
    const now = this.now()
    if (packet.protocol === IPPROTO_TCP && packet.ports !== null) {
      if (this.options.expose.has(packet.ports.sourcePort)) return
      const key = flowKey(IPPROTO_TCP, packet.source, packet.ports.sourcePort, packet.destination, packet.ports.destinationPort)
      const flow = this.table.get(key, now)
      const flags = packet.tcpFlags
      if ((flags & TCP_RST) !== 0) {
        if (flow !== undefined) this.refresh(key, flow, 'tcp-closing', now)
        return
      }
      const opening = (flags & TCP_SYN) !== 0 && (flags & TCP_ACK) === 0
      if (flow === undefined || (opening && flow.state === 'tcp-closing')) {
        // A flow picked up in the middle (after a restart or an eviction) counts as established.
        this.create(key, opening ? 'tcp-opening' : 'tcp-established', now)
        return
      }
      if ((flags & TCP_FIN) !== 0) flow.finOut = true
      this.refresh(key, flow, flow.finOut && flow.finIn ? 'tcp-closing' : flow.state, now)
    } else if (packet.protocol === IPPROTO_UDP && packet.ports !== null) {
      if (this.options.expose.has(packet.ports.sourcePort)) return
      const key = flowKey(IPPROTO_UDP, packet.source, packet.ports.sourcePort, packet.destination, packet.ports.destinationPort)
      const flow = this.table.get(key, now)
      if (flow === undefined) this.create(key, 'udp-unreplied', now)
      else this.refresh(key, flow, flow.state, now)
    } else if (packet.icmp?.kind === 'echo' && packet.icmp.type === ICMPV6_ECHO_REQUEST) {
      const key = flowKey(IPPROTO_ICMPV6, packet.source, packet.icmp.identifier, packet.destination, 0)
      const flow = this.table.get(key, now)
      if (flow === undefined) this.create(key, 'echo', now)
      else this.refresh(key, flow, 'echo', now)
    }
  }

  /**
   * Decides about a packet from a peer (source: the peer, destination: ours).
   * A first fragment is judged by its ports like a whole packet; later
   * fragments follow the verdict of their first fragment, and are dropped
   * when it was not seen (or not accepted) before them.
   */
  checkInbound (packet: PacketSummary): FirewallVerdict {
    const now = this.now()
    const fragment = packet.fragment
    if (fragment === null) return this.judge(packet, now)
    const key = FragmentVerdicts.key(packet.source, packet.destination, fragment.identification)
    if (fragment.offset !== 0) return this.fragments.isAccepted(key, now) ? this.accept('fragment') : this.drop('fragment')
    const verdict = this.judge(packet, now)
    if (verdict.accept && fragment.moreFragments) this.fragments.accept(key, now)
    return verdict
  }

  private judge (packet: PacketSummary, now: number): FirewallVerdict {
    if ((packet.protocol === IPPROTO_TCP || packet.protocol === IPPROTO_UDP) && packet.ports !== null) {
      const tcp = packet.protocol === IPPROTO_TCP
      if (this.options.expose.has(packet.ports.destinationPort)) return this.accept('exposed')
      const key = flowKey(packet.protocol, packet.destination, packet.ports.destinationPort, packet.source, packet.ports.sourcePort)
      const flow = this.table.get(key, now)
      if (flow === undefined) return this.drop(tcp ? 'refused-tcp' : 'refused-udp', true)
      if (tcp) {
        if ((packet.tcpFlags & TCP_FIN) !== 0) flow.finIn = true
        const next = (packet.tcpFlags & TCP_RST) !== 0 || (flow.finIn && flow.finOut)
          ? 'tcp-closing'
          : flow.state === 'tcp-opening' ? 'tcp-established' : flow.state
        this.refresh(key, flow, next, now)
      } else {
        this.refresh(key, flow, 'udp-replied', now)
      }
      return this.accept('tracked')
    }
    const icmp = packet.icmp
    if (packet.protocol !== IPPROTO_ICMPV6 || icmp === null) return this.drop('protocol')
    if (icmp.kind === 'echo') {
      if (icmp.type === ICMPV6_ECHO_REQUEST) return this.options.answerPing ? this.accept('ping') : this.drop('ping-disabled')
      if (icmp.type === ICMPV6_ECHO_REPLY) {
        const key = flowKey(IPPROTO_ICMPV6, packet.destination, icmp.identifier, packet.source, 0)
        return this.table.get(key, now) !== undefined ? this.accept('tracked') : this.drop('untracked-echo-reply')
      }
    }
    if (icmp.kind === 'error' && RELATED_ERROR_TYPES.has(icmp.type)) {
      return this.quotesOurFlow(packet, icmp.invoking, now) ? this.accept('related-error') : this.drop('untracked-error')
    }
    return this.drop('icmp-type')
  }

  /** True when an error from the peer quotes a packet we sent it on a tracked or exposed flow. */
  private quotesOurFlow (packet: PacketSummary, invoking: Buffer, now: number): boolean {
    const quoted = summarizeInvokingPacket(invoking)
    if (quoted === null || !quoted.source.equals(packet.destination) || !quoted.destination.equals(packet.source)) return false
    if ((quoted.protocol === IPPROTO_TCP || quoted.protocol === IPPROTO_UDP) && quoted.ports !== null) {
      if (this.options.expose.has(quoted.ports.sourcePort)) return true
      const key = flowKey(quoted.protocol, quoted.source, quoted.ports.sourcePort, quoted.destination, quoted.ports.destinationPort)
      return this.table.get(key, now) !== undefined
    }
    if (quoted.protocol === IPPROTO_ICMPV6 && quoted.icmpType === ICMPV6_ECHO_REQUEST && quoted.echoIdentifier !== null) {
      return this.table.get(flowKey(IPPROTO_ICMPV6, quoted.source, quoted.echoIdentifier, quoted.destination, 0), now) !== undefined
    }
    return false
  }

  /** Forgets expired flows (the router calls this periodically). */
  sweep (): number {
    this.fragments.sweep(this.now())
    return this.table.sweep(this.now())
  }

  clear (): void {
    this.table.clear()
    this.fragments.clear()
  }

  private create (key: string, state: FlowState, now: number): void {
    this.table.add(key, { state, expiresAt: now + this.timeout(state), finOut: false, finIn: false })
  }

  private refresh (key: string, flow: TrackedFlow, state: FlowState, now: number): void {
    flow.state = state
    this.table.touch(key, flow, now + this.timeout(state))
  }

  private timeout (state: FlowState): number {
    const t = this.options.timeouts
    switch (state) {
      case 'tcp-opening': return t.tcpOpeningMs
      case 'tcp-established': return t.tcpEstablishedMs
      case 'tcp-closing': return t.tcpClosingMs
      case 'udp-unreplied': return t.udpUnrepliedMs
      case 'udp-replied': return t.udpRepliedMs
      case 'echo': return t.echoMs
    }
  }

  private accept (reason: AcceptReason): FirewallVerdict {
    this.counters[`accepted-${reason}`]++
    return { accept: true, reason }
  }

  private drop (reason: DropReason, refusal = false): FirewallVerdict {
    this.counters[`dropped-${reason}`]++
    return { accept: false, reason, refusal }
  }
}
