/** IANA protocol numbers (next header values) that the router and firewall look at. */
export const IPPROTO_HOPOPTS = 0
export const IPPROTO_ICMP = 1
export const IPPROTO_TCP = 6
export const IPPROTO_UDP = 17
export const IPPROTO_ROUTING = 43
export const IPPROTO_FRAGMENT = 44
export const IPPROTO_ESP = 50
export const IPPROTO_AH = 51
export const IPPROTO_ICMPV6 = 58
export const IPPROTO_NONE = 59
export const IPPROTO_DSTOPTS = 60
export const IPPROTO_MOBILITY = 135
export const IPPROTO_HIP = 139
export const IPPROTO_SHIM6 = 140

/**
 * Extension headers laid out as next header u8 ‖ length u8 ‖ …, the length
 * counting 8-byte units beyond the first 8 (RFC 8200 §4, RFC 6564). AH counts
 * 4-byte units beyond the first 8 and is handled apart; the fragment header
 * has a fixed size; ESP cannot be walked (what follows is encrypted).
 */
export const GENERIC_EXTENSION_HEADERS: ReadonlySet<number> = new Set([
  IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS, IPPROTO_MOBILITY, IPPROTO_HIP, IPPROTO_SHIM6
])
