import { isApAddress } from '../netdb/apAddress.js'
import { apAddressFromPhantomName, isPhantomName } from '../netdb/phantomName.js'
import { parseIpv6 } from '../netdb/ipv6Text.js'
import type { SocksAddress } from './socksCodec.js'

/** Where a SOCKS CONNECT goes inside the Phantom network: an AP address and a port, with the name the client asked for. */
export interface PhantomTarget {
  ap: Buffer
  port: number
  /** The lower-case name the client gave (`.phantom` name or petname), absent for an address. */
  name?: string
}

/** Local name → AP address (petnames from the hosts file); never a network lookup. */
export type PhantomNameLookup = (name: string) => Buffer | undefined

export type TargetDecision =
  | { allowed: true, target: PhantomTarget }
  | { allowed: false, reason: string }

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/

/**
 * The policy of PROTOCOL.md §9 and invariant 8: only AP addresses (fd50::/16),
 * `.phantom` names (AP address derived locally from the key in the name) and
 * local petnames are reachable; every other destination is refused, so nothing
 * is ever sent outside the Phantom network on behalf of an application.
 */
export function phantomTargetFor (address: SocksAddress, port: number, lookupName?: PhantomNameLookup): TargetDecision {
  switch (address.type) {
    case 'ipv4':
      return { allowed: false, reason: 'IPv4 destinations are outside the Phantom network' }
    case 'ipv6':
      return isApAddress(address.bytes)
        ? { allowed: true, target: { ap: Buffer.from(address.bytes), port } }
        : { allowed: false, reason: 'IPv6 destination outside fd50::/16' }
    case 'domain':
      return domainTarget(address.name, port, lookupName)
  }
}

function domainTarget (raw: Buffer, port: number, lookupName?: PhantomNameLookup): TargetDecision {
  let text = raw.toString('latin1')
  if (!PRINTABLE_ASCII.test(text)) return { allowed: false, reason: 'domain name with bytes outside printable ASCII' }
  // One trailing dot is the fully qualified form of the same name.
  if (text.endsWith('.') && text.length > 1) text = text.slice(0, -1)
  // Only ASCII letters fold (the regular expression above guarantees ASCII).
  const name = text.toLowerCase()
  // (`as unknown`: the type guard must not narrow `name` to never below.)
  if (isPhantomName(name as unknown)) return { allowed: true, target: { ap: apAddressFromPhantomName(name), port, name } }
  if (name.includes(':')) {
    // An IPv6 literal sent as a name (some clients do).
    try {
      const bytes = parseIpv6(name)
      return isApAddress(bytes)
        ? { allowed: true, target: { ap: bytes, port } }
        : { allowed: false, reason: 'IPv6 destination outside fd50::/16' }
    } catch {
      return { allowed: false, reason: 'not a Phantom destination' }
    }
  }
  const petnameAddress = lookupName?.(name)
  if (petnameAddress !== undefined && isApAddress(petnameAddress)) {
    return { allowed: true, target: { ap: Buffer.from(petnameAddress), port, name } }
  }
  return { allowed: false, reason: 'name is neither a .phantom name nor a known petname' }
}
