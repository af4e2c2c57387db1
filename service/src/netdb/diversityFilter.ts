import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { parseIpv6 } from './ipv6Text.js'

/**
 * Network diversity for path building (PROTOCOL.md §4): no two nodes of one
 * path in the same IPv4 /16 or IPv6 /48. A node is placed in the network group
 * of every address it announces, so a node with one address in 10.1/16 and one
 * in 2001:db8:1::/48 conflicts with any node that has either.
 *
 * Addresses are `Multiaddr` objects or binary multiaddrs (`multiaddr.bytes`, as
 * in node records). The first `ip4`/`ip6` component of each address counts;
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as its IPv4 /16. Addresses without
 * an IP component (e.g. /dns4/…) or that do not parse carry no group.
 */
export type AddressInput = Multiaddr | Uint8Array

export interface DiversityCandidate {
  multiaddrs: readonly AddressInput[]
}

export interface DiversityOptions {
  /** false: keep every candidate (several nodes on one machine, lab networks, loopback tests). Default true. */
  enabled?: boolean
  /** Groups already taken, e.g. by path members chosen earlier (see networkGroups). */
  taken?: Iterable<string>
}

const IPV4_MAPPED_PREFIX = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])

/** Group of one address: "ip4:a.b" for its /16, "ip6:xxxxxxxxxxxx" (12 hex digits) for its /48, or null. */
export function networkGroup (address: AddressInput): string | null {
  let components
  try {
    components = (address instanceof Uint8Array ? multiaddr(Uint8Array.from(address)) : address).getComponents()
  } catch {
    return null
  }
  for (const component of components) {
    if (component.value == null) continue
    try {
      if (component.name === 'ip4') {
        const octets = component.value.split('.')
        if (octets.length !== 4) return null
        return `ip4:${octets[0] as string}.${octets[1] as string}`
      }
      if (component.name === 'ip6') {
        const bytes = parseIpv6(component.value)
        if (bytes.subarray(0, 12).equals(IPV4_MAPPED_PREFIX)) return `ip4:${bytes[12] as number}.${bytes[13] as number}`
        return `ip6:${bytes.subarray(0, 6).toString('hex')}`
      }
    } catch {
      return null
    }
  }
  return null
}

/** The distinct groups of every address a node announces. */
export function networkGroups (addresses: readonly AddressInput[]): string[] {
  const groups = new Set<string>()
  for (const address of addresses) {
    const group = networkGroup(address)
    if (group != null) groups.add(group)
  }
  return [...groups]
}

/**
 * Keeps candidates in order, skipping any that shares a group with one kept
 * before it (or with `taken`). With diversity enabled, a candidate with no IP
 * address at all is dropped too: its network cannot be checked. Pure: returns a
 * new array and never changes its input.
 */
export function filterDiverseCandidates<T extends DiversityCandidate> (candidates: readonly T[], options: DiversityOptions = {}): T[] {
  if (options.enabled === false) return [...candidates]
  const taken = new Set<string>(options.taken ?? [])
  const kept: T[] = []
  for (const candidate of candidates) {
    const groups = networkGroups(candidate.multiaddrs)
    if (groups.length === 0) continue
    if (groups.some(group => taken.has(group))) continue
    for (const group of groups) taken.add(group)
    kept.push(candidate)
  }
  return kept
}
