import { isApAddress } from '../../netdb/apAddress.js'
import { prefixContains, prefixLastAddress, type Ipv4Prefix } from './ipv4Prefix.js'

/** Most AP addresses mapped at once (each entry costs about 200 bytes). */
export const DEFAULT_MAX_IPV4_MAPPINGS = 16_384
/**
 * A mapping is reused for another AP address only after it was idle this long
 * (no DNS answer, no packet), well beyond the resolver's 5-minute TTL, so a
 * program that cached an A answer never reaches a different node through it.
 */
export const DEFAULT_IPV4_MAPPING_MIN_IDLE_MS = 60 * 60_000

export interface Ipv4AddressMapOptions {
  prefix: Ipv4Prefix
  maxMappings?: number
  minIdleBeforeReuseMs?: number
  now?: () => number
}

export interface Ipv4AddressMapStats {
  mappings: number
  allocated: number
  /** Mappings dropped to make room (idle for at least minIdleBeforeReuseMs). */
  reused: number
  /** Requests refused because every mapping was in recent use. */
  exhausted: number
}

interface Mapping {
  ap: Buffer
  apKey: string
  ipv4: number
  lastUsed: number
}

/**
 * This host's table of AP addresses ↔ local IPv4 addresses inside the
 * mapping prefix (100.64.0.0/10 by default), for IPv4-only programs. The
 * prefix's first host address is the node's own (on phantom0); the others are
 * handed out on demand (a DNS A question, `phantomctl resolve`) in order,
 * wrapping around, so a released address comes back as late as possible.
 * Bounded: when full, the least recently used mapping idle for at least
 * `minIdleBeforeReuseMs` makes room; if none is, the request is refused.
 *
 * The table is local to this host: peers never see it (packets travel as
 * IPv6 between AP addresses).
 */
export class Ipv4AddressMap {
  readonly prefix: Ipv4Prefix
  /** The node's own IPv4 address on the interface: the prefix's first host address. */
  readonly ownAddress: number
  private readonly first: number
  private readonly last: number
  private readonly capacity: number
  private readonly minIdle: number
  private readonly now: () => number
  /** Least recently used first (use re-inserts). */
  private readonly byAp = new Map<string, Mapping>()
  private readonly byIpv4 = new Map<number, Mapping>()
  private cursor: number
  private readonly counters = { allocated: 0, reused: 0, exhausted: 0 }

  constructor (options: Ipv4AddressMapOptions) {
    this.prefix = options.prefix
    this.ownAddress = options.prefix.network + 1
    this.first = options.prefix.network + 2
    this.last = prefixLastAddress(options.prefix) - 1
    const maxMappings = options.maxMappings ?? DEFAULT_MAX_IPV4_MAPPINGS
    if (!Number.isInteger(maxMappings) || maxMappings < 1) throw new RangeError('maxMappings must be a positive integer')
    this.capacity = Math.min(maxMappings, this.last - this.first + 1)
    this.minIdle = options.minIdleBeforeReuseMs ?? DEFAULT_IPV4_MAPPING_MIN_IDLE_MS
    this.now = options.now ?? Date.now
    this.cursor = this.first
  }

  get stats (): Ipv4AddressMapStats {
    return { mappings: this.byAp.size, ...this.counters }
  }

  /** True for an address this table hands out (inside the prefix, not the network, own or broadcast address). */
  isMappable (ipv4: number): boolean {
    return prefixContains(this.prefix, ipv4) && ipv4 >= this.first && ipv4 <= this.last
  }

  /** The IPv4 address mapped to `ap`, allocating one if needed; undefined when the table is full of recently used mappings. */
  addressFor (ap: Uint8Array): number | undefined {
    if (!isApAddress(ap)) throw new RangeError('not an AP address')
    const key = apKey(ap)
    const known = this.byAp.get(key)
    if (known !== undefined) {
      this.use(known)
      return known.ipv4
    }
    if (this.byAp.size >= this.capacity && !this.dropStalest()) {
      this.counters.exhausted++
      return undefined
    }
    const ipv4 = this.nextFree()
    const mapping: Mapping = { ap: Buffer.from(ap), apKey: key, ipv4, lastUsed: this.now() }
    this.byAp.set(key, mapping)
    this.byIpv4.set(ipv4, mapping)
    this.counters.allocated++
    return ipv4
  }

  /** The IPv4 address already mapped to the AP address with hex key `key` (no allocation). */
  addressOf (key: string): number | undefined {
    const mapping = this.byAp.get(key)
    if (mapping === undefined) return undefined
    this.use(mapping)
    return mapping.ipv4
  }

  /** The AP address mapped to `ipv4`, or undefined. */
  apFor (ipv4: number): Buffer | undefined {
    const mapping = this.byIpv4.get(ipv4)
    if (mapping === undefined) return undefined
    this.use(mapping)
    return mapping.ap
  }

  private use (mapping: Mapping): void {
    const now = this.now()
    // re-inserting costs two map operations: once a second per mapping is enough for the LRU order
    if (now - mapping.lastUsed < 1000) return
    mapping.lastUsed = now
    this.byAp.delete(mapping.apKey)
    this.byAp.set(mapping.apKey, mapping)
  }

  private dropStalest (): boolean {
    const stalest = this.byAp.values().next()
    if (stalest.done === true || this.now() - stalest.value.lastUsed < this.minIdle) return false
    this.byAp.delete(stalest.value.apKey)
    this.byIpv4.delete(stalest.value.ipv4)
    this.counters.reused++
    return true
  }

  /** The next address after the cursor that no mapping holds (one exists: size < capacity ≤ pool). */
  private nextFree (): number {
    for (;;) {
      const candidate = this.cursor
      this.cursor = candidate >= this.last ? this.first : candidate + 1
      if (!this.byIpv4.has(candidate)) return candidate
    }
  }
}

/** The key of an AP address in maps: its hex text. */
export function apKey (ap: Uint8Array): string {
  return Buffer.from(ap.buffer, ap.byteOffset, ap.byteLength).toString('hex')
}
