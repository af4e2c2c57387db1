/** Idle timeouts of tracked flows, in milliseconds. */
export interface FlowTimeouts {
  /** TCP after our SYN, before anything came back. */
  tcpOpeningMs: number
  /** TCP once packets went both ways. */
  tcpEstablishedMs: number
  /** TCP after a RST, or after FIN in both directions. */
  tcpClosingMs: number
  /** UDP while only we have sent. */
  udpUnrepliedMs: number
  /** UDP once the peer answered. */
  udpRepliedMs: number
  /** ICMPv6 echo, refreshed by each request we send. */
  echoMs: number
  /** How long later fragments of an accepted first fragment are let in. */
  fragmentMs: number
}

/** How a new inbound connection to a port that is not exposed is refused. */
export type RefusalMode = 'drop' | 'prohibited'

export interface FirewallOptions {
  /** TCP and UDP ports on our AP addresses that accept new inbound connections. */
  expose?: readonly number[]
  /** Pass ICMPv6 echo requests to the host (whose kernel answers them). Default true. */
  answerPing?: boolean
  /** 'drop' (default): silently; 'prohibited': ICMPv6 Destination Unreachable code 1 back to the peer. */
  refuse?: RefusalMode
  /** Most flows tracked at once; beyond it the least recently used flow is forgotten. */
  maxFlows?: number
  /** Fragmented packets whose first fragment was accepted, remembered for their later fragments. */
  maxFragmentedPackets?: number
  timeouts?: Partial<FlowTimeouts>
}

export interface ResolvedFirewallOptions {
  expose: ReadonlySet<number>
  answerPing: boolean
  refuse: RefusalMode
  maxFlows: number
  maxFragmentedPackets: number
  timeouts: FlowTimeouts
}

export const DEFAULT_MAX_FLOWS = 16384
export const DEFAULT_MAX_FRAGMENTED_PACKETS = 1024
export const DEFAULT_FLOW_TIMEOUTS: Readonly<FlowTimeouts> = Object.freeze({
  tcpOpeningMs: 60_000,
  tcpEstablishedMs: 2 * 60 * 60_000,
  tcpClosingMs: 30_000,
  udpUnrepliedMs: 30_000,
  udpRepliedMs: 180_000,
  echoMs: 30_000,
  fragmentMs: 60_000
})

/** Validates and fills in defaults; throws RangeError on a bad port, size or timeout. */
export function resolveFirewallOptions (options: FirewallOptions = {}): ResolvedFirewallOptions {
  const expose = new Set<number>()
  for (const port of options.expose ?? []) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`exposed port ${String(port)} is not in 1..65535`)
    expose.add(port)
  }
  const refuse = options.refuse ?? 'drop'
  if (refuse !== 'drop' && refuse !== 'prohibited') throw new RangeError(`refuse must be 'drop' or 'prohibited', not ${String(refuse)}`)
  const maxFlows = options.maxFlows ?? DEFAULT_MAX_FLOWS
  if (!Number.isInteger(maxFlows) || maxFlows < 1) throw new RangeError('maxFlows must be a positive integer')
  const maxFragmentedPackets = options.maxFragmentedPackets ?? DEFAULT_MAX_FRAGMENTED_PACKETS
  if (!Number.isInteger(maxFragmentedPackets) || maxFragmentedPackets < 1) throw new RangeError('maxFragmentedPackets must be a positive integer')
  const timeouts: FlowTimeouts = { ...DEFAULT_FLOW_TIMEOUTS, ...options.timeouts }
  for (const [name, value] of Object.entries(timeouts)) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`firewall timeout ${name} must be a positive number of milliseconds`)
  }
  return { expose, answerPing: options.answerPing ?? true, refuse, maxFlows, maxFragmentedPackets, timeouts }
}
