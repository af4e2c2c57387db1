import {
  ICMPV6_DESTINATION_UNREACHABLE, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_PACKET_TOO_BIG, ICMPV6_PARAMETER_PROBLEM,
  ICMPV6_TIME_EXCEEDED, UNREACHABLE_ADDRESS, UNREACHABLE_ADMIN_PROHIBITED, UNREACHABLE_NO_ROUTE, UNREACHABLE_PORT
} from '../packets/icmpv6Messages.js'

/** ICMPv4 message types (RFC 792) the translator knows. */
export const ICMPV4_ECHO_REPLY = 0
export const ICMPV4_DESTINATION_UNREACHABLE = 3
export const ICMPV4_ECHO_REQUEST = 8
export const ICMPV4_TIME_EXCEEDED = 11
/** Type, code, checksum and the 4-byte field (identifier+sequence / unused / next-hop MTU). */
export const ICMPV4_FIXED_BYTES = 8

/** Destination Unreachable codes (RFC 792, RFC 1812 §5.2.7.1). */
export const ICMPV4_HOST_UNREACHABLE = 1
export const ICMPV4_PROTOCOL_UNREACHABLE = 2
export const ICMPV4_PORT_UNREACHABLE = 3
export const ICMPV4_FRAGMENTATION_NEEDED = 4
export const ICMPV4_HOST_PROHIBITED = 10

/** Parameter Problem code 1 (unrecognized next header) points at the IPv6 header's next header field. */
const NEXT_HEADER_POINTER = 6

/**
 * What an ICMPv4 message becomes in ICMPv6, following RFC 7915 §4.2 for the
 * messages a host exchanges: echo, destination unreachable, time exceeded.
 * `parameter`: how the 32-bit field after the checksum is filled — 'copy'
 * (echo identifier and sequence), 'zero', 'mtu' (Packet Too Big: the IPv4
 * next-hop MTU plus 20), or a fixed pointer. null: not translated (dropped).
 */
export type Icmpv6Translation = { type: number, code: number, parameter: 'copy' | 'zero' | 'mtu' | { pointer: number } }

export function icmpv4ToIcmpv6 (type: number, code: number): Icmpv6Translation | null {
  if (type === ICMPV4_ECHO_REQUEST && code === 0) return { type: ICMPV6_ECHO_REQUEST, code: 0, parameter: 'copy' }
  if (type === ICMPV4_ECHO_REPLY && code === 0) return { type: ICMPV6_ECHO_REPLY, code: 0, parameter: 'copy' }
  if (type === ICMPV4_TIME_EXCEEDED && (code === 0 || code === 1)) return { type: ICMPV6_TIME_EXCEEDED, code, parameter: 'zero' }
  if (type !== ICMPV4_DESTINATION_UNREACHABLE) return null
  switch (code) {
    case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12:
      return { type: ICMPV6_DESTINATION_UNREACHABLE, code: UNREACHABLE_NO_ROUTE, parameter: 'zero' }
    case ICMPV4_PROTOCOL_UNREACHABLE:
      return { type: ICMPV6_PARAMETER_PROBLEM, code: 1, parameter: { pointer: NEXT_HEADER_POINTER } }
    case ICMPV4_PORT_UNREACHABLE:
      return { type: ICMPV6_DESTINATION_UNREACHABLE, code: UNREACHABLE_PORT, parameter: 'zero' }
    case ICMPV4_FRAGMENTATION_NEEDED:
      return { type: ICMPV6_PACKET_TOO_BIG, code: 0, parameter: 'mtu' }
    case 9: case 10: case 13: case 15:
      return { type: ICMPV6_DESTINATION_UNREACHABLE, code: UNREACHABLE_ADMIN_PROHIBITED, parameter: 'zero' }
    default:
      return null
  }
}

/** What an ICMPv6 message becomes in ICMPv4 (RFC 7915 §5.2); 'mtu' is the IPv6 MTU minus 20. */
export type Icmpv4Translation = { type: number, code: number, parameter: 'copy' | 'zero' | 'mtu' }

export function icmpv6ToIcmpv4 (type: number, code: number): Icmpv4Translation | null {
  switch (type) {
    case ICMPV6_ECHO_REQUEST: return code === 0 ? { type: ICMPV4_ECHO_REQUEST, code: 0, parameter: 'copy' } : null
    case ICMPV6_ECHO_REPLY: return code === 0 ? { type: ICMPV4_ECHO_REPLY, code: 0, parameter: 'copy' } : null
    case ICMPV6_PACKET_TOO_BIG: return { type: ICMPV4_DESTINATION_UNREACHABLE, code: ICMPV4_FRAGMENTATION_NEEDED, parameter: 'mtu' }
    case ICMPV6_TIME_EXCEEDED: return code <= 1 ? { type: ICMPV4_TIME_EXCEEDED, code, parameter: 'zero' } : null
    case ICMPV6_PARAMETER_PROBLEM:
      return code === 1 ? { type: ICMPV4_DESTINATION_UNREACHABLE, code: ICMPV4_PROTOCOL_UNREACHABLE, parameter: 'zero' } : null
    case ICMPV6_DESTINATION_UNREACHABLE:
      switch (code) {
        case UNREACHABLE_NO_ROUTE: case 2: case UNREACHABLE_ADDRESS:
          return { type: ICMPV4_DESTINATION_UNREACHABLE, code: ICMPV4_HOST_UNREACHABLE, parameter: 'zero' }
        case UNREACHABLE_ADMIN_PROHIBITED:
          return { type: ICMPV4_DESTINATION_UNREACHABLE, code: ICMPV4_HOST_PROHIBITED, parameter: 'zero' }
        case UNREACHABLE_PORT:
          return { type: ICMPV4_DESTINATION_UNREACHABLE, code: ICMPV4_PORT_UNREACHABLE, parameter: 'zero' }
        default:
          return null
      }
    default:
      return null
  }
}

/** ICMPv4 error types (the translator never sends an error about one). */
export function isIcmpv4Error (type: number): boolean {
  return type === ICMPV4_DESTINATION_UNREACHABLE || type === ICMPV4_TIME_EXCEEDED || type === 4 || type === 5 || type === 12
}
