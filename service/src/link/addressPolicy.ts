import type { Multiaddr } from '@multiformats/multiaddr'
import { isPrivate } from '@libp2p/utils'

/**
 * Which addresses a node dials and announces. On the open Internet private,
 * loopback and link-local addresses are neither dialled nor announced; on a
 * LAN or in tests on one machine (`network.allowPrivateAddresses`) they are.
 */
export interface AddressPolicy {
  allowPrivateAddresses: boolean
}

export function isAllowedAddress (ma: Multiaddr, policy: AddressPolicy): boolean {
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
