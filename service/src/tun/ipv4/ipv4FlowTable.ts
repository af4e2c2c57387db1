import { ConnectionTable } from '../firewall/connectionTable.js'
import { DEFAULT_FLOW_TIMEOUTS, DEFAULT_MAX_FLOWS } from '../firewall/firewallOptions.js'

/** What kind of flow a program opened over IPv4: a TCP or UDP port pair, or an ICMP echo identifier. */
export type Ipv4FlowKind = 'tcp' | 'udp' | 'echo'

const IDLE_MS: Readonly<Record<Ipv4FlowKind, number>> = {
  tcp: DEFAULT_FLOW_TIMEOUTS.tcpEstablishedMs,
  udp: DEFAULT_FLOW_TIMEOUTS.udpRepliedMs,
  echo: DEFAULT_FLOW_TIMEOUTS.echoMs
}
const SWEEP_EVERY_MS = 30_000

/**
 * The flows this host's programs opened over IPv4 through the mapping, so
 * that the answers (which arrive as IPv6 from the peer's AP address) go back
 * to the program as IPv4. Keyed from our side: kind, peer AP address, our
 * port (or echo identifier), the peer's port (0 for echo). Each flow is
 * forgotten after the firewall's idle timeout for its kind (TCP 2 h, UDP
 * 3 min, echo 30 s); bounded like the firewall's table (least recently used
 * forgotten first).
 */
export class Ipv4FlowTable {
  private readonly table: ConnectionTable<{ expiresAt: number }>
  private lastSweep: number

  constructor (maxFlows = DEFAULT_MAX_FLOWS, private readonly now: () => number = Date.now) {
    this.table = new ConnectionTable(maxFlows)
    this.lastSweep = now()
  }

  get size (): number {
    return this.table.size
  }

  get counters (): { created: number, evicted: number, expired: number } {
    return { ...this.table.counters }
  }

  /** A packet of this flow left the host: remember or refresh it. */
  note (kind: Ipv4FlowKind, peerKey: string, localPort: number, remotePort: number): void {
    const now = this.now()
    if (now - this.lastSweep >= SWEEP_EVERY_MS) {
      this.lastSweep = now
      this.table.sweep(now)
    }
    const key = flowKey(kind, peerKey, localPort, remotePort)
    const flow = this.table.get(key, now)
    if (flow === undefined) this.table.add(key, { expiresAt: now + IDLE_MS[kind] })
    else this.table.touch(key, flow, now + IDLE_MS[kind])
  }

  /** True (and the flow refreshed) when a packet from the peer belongs to a flow opened over IPv4. */
  matches (kind: Ipv4FlowKind, peerKey: string, localPort: number, remotePort: number): boolean {
    const now = this.now()
    const key = flowKey(kind, peerKey, localPort, remotePort)
    const flow = this.table.get(key, now)
    if (flow === undefined) return false
    this.table.touch(key, flow, now + IDLE_MS[kind])
    return true
  }

  clear (): void {
    this.table.clear()
  }
}

function flowKey (kind: Ipv4FlowKind, peerKey: string, localPort: number, remotePort: number): string {
  return `${kind}|${peerKey}|${localPort}|${remotePort}`
}
