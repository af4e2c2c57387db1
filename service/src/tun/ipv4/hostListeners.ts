import { readFileSync } from 'node:fs'
import { endianness } from 'node:os'

/** Which family a host service on a port takes connections in, for packets to our AP address and own IPv4 address. */
export type ListenerFamily = 'ipv6' | 'ipv4-only' | 'none'

export interface ListenerLookup {
  familyOf: (protocol: 'tcp' | 'udp', port: number) => ListenerFamily
}

/** How long one reading of /proc/net stands for a port (bounds the reads a burst of new connections causes). */
const CACHE_MS = 2000
const MAX_CACHED_PORTS = 1024
const TCP_LISTEN = 0x0a
/** TCP_CLOSE: how a bound, unconnected UDP socket shows. */
const UDP_UNCONNECTED = 0x07

/**
 * The host's listening sockets as /proc/net/{tcp,tcp6,udp,udp6} show them
 * (the daemon runs in the host's network namespace): a port is 'ipv6' when
 * a socket listens on it on `::` (dual stack or not) or on our AP address,
 * 'ipv4-only' when only sockets on 0.0.0.0 or our own IPv4 address do, else
 * 'none'. Cached per port for 2 s.
 */
export class ProcNetListeners implements ListenerLookup {
  private readonly cache = new Map<string, { family: ListenerFamily, until: number }>()
  private readonly ownIpv4: Buffer
  private readonly ownAp: Buffer

  constructor (
    ownIpv4: number,
    ownAp: Uint8Array,
    /** Where the tables are: /proc/net for the daemon's own namespace, /proc/PID/net for another process's. */
    private readonly procNetDir = '/proc/net',
    private readonly readTable: (path: string) => string = (path) => readFileSync(path, 'latin1'),
    private readonly now: () => number = Date.now
  ) {
    this.ownIpv4 = Buffer.alloc(4)
    this.ownIpv4.writeUInt32BE(ownIpv4 >>> 0)
    this.ownAp = Buffer.from(ownAp)
  }

  familyOf (protocol: 'tcp' | 'udp', port: number): ListenerFamily {
    const key = `${protocol}:${port}`
    const now = this.now()
    const cached = this.cache.get(key)
    if (cached !== undefined && cached.until > now) return cached.family
    const family = this.read(protocol, port)
    if (this.cache.size >= MAX_CACHED_PORTS) this.cache.clear()
    this.cache.set(key, { family, until: now + CACHE_MS })
    return family
  }

  private read (protocol: 'tcp' | 'udp', port: number): ListenerFamily {
    const state = protocol === 'tcp' ? TCP_LISTEN : UDP_UNCONNECTED
    const v6 = this.addresses(`${this.procNetDir}/${protocol}6`, state, port)
    if (v6.some((a) => isZero(a) || a.equals(this.ownAp))) return 'ipv6'
    const v4 = this.addresses(`${this.procNetDir}/${protocol}`, state, port)
    if (v4.some((a) => isZero(a) || a.equals(this.ownIpv4))) return 'ipv4-only'
    return 'none'
  }

  private addresses (path: string, state: number, port: number): Buffer[] {
    let text: string
    try {
      text = this.readTable(path)
    } catch {
      return [] // no IPv6 (or no /proc): nothing listens there
    }
    return parseProcNetSockets(text).filter((s) => s.state === state && s.port === port).map((s) => s.address)
  }
}

/**
 * The local address, port and state of every socket in a /proc/net/{tcp,udp}[6]
 * table. Addresses are printed as 32-bit words in the host's byte order; they
 * come back in network order. Lines that do not parse are skipped.
 */
export function parseProcNetSockets (text: string, littleEndian = endianness() === 'LE'): Array<{ address: Buffer, port: number, state: number }> {
  const sockets: Array<{ address: Buffer, port: number, state: number }> = []
  for (const line of text.split('\n')) {
    const match = /^\s*\d+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+\S+\s+([0-9A-Fa-f]{2})\s/.exec(line)
    if (match === null) continue
    const address = Buffer.from(match[1] as string, 'hex')
    if (littleEndian) for (let i = 0; i < address.length; i += 4) address.subarray(i, i + 4).reverse()
    sockets.push({ address, port: parseInt(match[2] as string, 16), state: parseInt(match[3] as string, 16) })
  }
  return sockets
}

function isZero (address: Buffer): boolean {
  return address.every((b) => b === 0)
}
