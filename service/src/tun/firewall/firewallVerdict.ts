/** Why an inbound packet was let in. */
/** 'fragment': a later fragment of a packet whose first fragment was accepted. */
export type AcceptReason = 'exposed' | 'tracked' | 'ping' | 'related-error' | 'fragment'

/** Why an inbound packet was kept out. */
export type DropReason =
  | 'refused-tcp'
  | 'refused-udp'
  | 'ping-disabled'
  | 'untracked-echo-reply'
  | 'untracked-error'
  | 'icmp-type'
  | 'protocol'
  /** A later fragment whose first fragment was not accepted (or not seen first). */
  | 'fragment'

export type FirewallVerdict =
  | { accept: true, reason: AcceptReason }
  /** `refusal`: a new connection attempt to a port that is not exposed (the router may answer it, see RefusalMode). */
  | { accept: false, reason: DropReason, refusal: boolean }
