import { type FirewallStats } from '../firewall/inboundFirewall.js'

/** Packets our host sent into the TUN device. */
export interface OutboundCounters {
  packets: number
  /** Handed to a channel that took it. */
  forwarded: number
  /** Waited for a channel to open (counted once, whatever became of them). */
  queued: number
  notIpv6: number
  malformed: number
  /** Destination outside fd50::/16 (e.g. the kernel's multicast and link-local traffic). */
  notApDestination: number
  /** Source is not one of our AP addresses. */
  foreignSource: number
  /** Destination is one of our own AP addresses. */
  ownDestination: number
  /** Dropped: the per-destination or global queue bound was reached. */
  queueFull: number
  /** Dropped: too many destinations were being opened already. */
  openingLimit: number
  /** The destination could not be reached (Destination Unreachable, if the rate allowed). */
  unreachable: number
  /** Larger than the channel carries (Packet Too Big, if the rate allowed). */
  tooBig: number
  /** The channel refused it (congested or closed). */
  channelDropped: number
  /** Dropped because the router was closed. */
  afterClose: number
  internalError: number
}

/** Packets peers sent us over sessions. */
export interface InboundCounters {
  packets: number
  /** Written to the host. */
  delivered: number
  malformed: number
  /** IPv6 source is not the session's authenticated AP address. */
  forgedSource: number
  /** Destination is not one of our AP addresses. */
  notOurDestination: number
  /** Kept out by the firewall (details under firewall.counters). */
  firewallDropped: number
  /** deliverToHost threw. */
  hostWriteFailed: number
  afterClose: number
  internalError: number
}

export interface IcmpCounters {
  unreachableSent: number
  packetTooBigSent: number
  /** Administratively prohibited, for refused connections when the firewall says refuse: 'prohibited'. */
  prohibitedSent: number
  /** Errors not sent because of the rate limit. */
  rateLimited: number
}

export interface ChannelCounters {
  opened: number
  openFailed: number
  /** channelTo answered with a channel for another address. */
  openMismatch: number
  /** Channels taken over from inbound traffic (a peer's session used for our replies). */
  adopted: number
  forgottenIdle: number
  forgottenClosed: number
  /** Forgotten because maxChannels was reached. */
  evicted: number
}

export interface RouterStats {
  outbound: OutboundCounters
  inbound: InboundCounters
  icmp: IcmpCounters
  channels: ChannelCounters & {
    /** Gauges. */
    open: number
    opening: number
    unreachable: number
    queuedPackets: number
    queuedBytes: number
  }
  firewall: FirewallStats
}

export function newOutboundCounters (): OutboundCounters {
  return {
    packets: 0, forwarded: 0, queued: 0, notIpv6: 0, malformed: 0, notApDestination: 0, foreignSource: 0, ownDestination: 0,
    queueFull: 0, openingLimit: 0, unreachable: 0, tooBig: 0, channelDropped: 0, afterClose: 0, internalError: 0
  }
}

export function newInboundCounters (): InboundCounters {
  return { packets: 0, delivered: 0, malformed: 0, forgedSource: 0, notOurDestination: 0, firewallDropped: 0, hostWriteFailed: 0, afterClose: 0, internalError: 0 }
}

export function newIcmpCounters (): IcmpCounters {
  return { unreachableSent: 0, packetTooBigSent: 0, prohibitedSent: 0, rateLimited: 0 }
}

export function newChannelCounters (): ChannelCounters {
  return { opened: 0, openFailed: 0, openMismatch: 0, adopted: 0, forgottenIdle: 0, forgottenClosed: 0, evicted: 0 }
}
