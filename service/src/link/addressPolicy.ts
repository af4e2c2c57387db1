import type { Multiaddr } from '@multiformats/multiaddr'
import { isIPv4, isIPv6 } from 'node:net'
import { isPrivate } from '@libp2p/utils'
import { parseIpv6 } from '../netdb/ipv6Text.js'
import { NAME_PROTOCOLS } from '../config/multiaddrCheck.js'

/**
 * Which addresses a node dials and announces. On the open Internet private,
 * loopback and link-local addresses are neither dialled nor announced; on a
 * LAN or in tests on one machine (`network.allowPrivateAddresses`) they are.
 *
 * Never, whatever the setting: addresses of the Phantom network's own
 * interface — AP addresses (fd50::/16) and the local IPv4 mapping
 * (`tun.ipv4.prefix`, whose first address every node has on phantom0). The
 * daemon's wildcard listener sees them as interface addresses; announced,
 * they would send other nodes' link connections into their own phantom0.
 * Nor an address that starts with a DNS name (/dns, /dns4, /dns6, /dnsaddr):
 * what a name stands for is known only after a lookup, and a lookup of a
 * name from the network leaks the dial to its name server. The names the
 * operator wrote are looked up before this check (operatorNames.ts), and
 * the addresses they resolve to are checked here like any other.
 */
export interface AddressPolicy {
  allowPrivateAddresses: boolean
  /** The IPv4 mapping prefix as [network, length] (unsigned network address), if the node has one. */
  ipv4MappingPrefix?: readonly [number, number] | null
}

export function isAllowedAddress (ma: Multiaddr, policy: AddressPolicy): boolean {
  if (isPhantomInterfaceAddress(ma, policy) || isNameAddress(ma)) return false
  if (policy.allowPrivateAddresses) return true
  try {
    return !isPrivate(ma)
  } catch {
    return false
  }
}

export function filterAllowedAddresses (addrs: Multiaddr[], policy: AddressPolicy): Multiaddr[] {
  return addrs.filter(a => isAllowedAddress(a, policy))
}

/** True for an address that starts with a DNS name instead of an IP address. */
export function isNameAddress (ma: Multiaddr): boolean {
  const first = ma.getComponents()[0]
  return first !== undefined && NAME_PROTOCOLS.has(first.name)
}

/** True for an /ip6 address inside fd50::/16 or an /ip4 address inside the mapping prefix. */
export function isPhantomInterfaceAddress (ma: Multiaddr, policy: AddressPolicy): boolean {
  const first = ma.getComponents()[0]
  const host = first?.value
  if (host === undefined) return false
  if (first?.name === 'ip6' && isIPv6(host)) {
    let bytes: Buffer
    try {
      bytes = parseIpv6(host)
    } catch {
      // text node:net takes for IPv6 but our parser does not (a zone, fe80::1%eth0): counted as ours, so never dialled
      return true
    }
    return bytes[0] === 0xfd && bytes[1] === 0x50
  }
  const prefix = policy.ipv4MappingPrefix
  if (first?.name === 'ip4' && isIPv4(host) && prefix != null) {
    const address = host.split('.').reduce((value, part) => value * 256 + Number(part), 0)
    const [network, length] = prefix
    return Math.floor(address / 2 ** (32 - length)) === Math.floor(network / 2 ** (32 - length))
  }
  return false
}
