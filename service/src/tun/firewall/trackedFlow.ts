export type FlowState =
  | 'tcp-opening'
  | 'tcp-established'
  | 'tcp-closing'
  | 'udp-unreplied'
  | 'udp-replied'
  | 'echo'

/** One entry of the connection table. */
export interface TrackedFlow {
  state: FlowState
  /** Time (ms, the firewall's clock) after which the flow is forgotten unless refreshed. */
  expiresAt: number
  /** TCP: a FIN was seen from us / from the peer. */
  finOut: boolean
  finIn: boolean
}
