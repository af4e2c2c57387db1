import { DecodeError } from '../../wire/index.js'
import { icmpv6Checksum } from '../icmpv6Checksum.js'
import { encodeIpv6Packet, IPV6_HEADER_BYTES } from '../ipv6Packet.js'
import { IPPROTO_ICMPV6 } from './ipProtocolNumbers.js'

/** ICMPv6 message types (RFC 4443). */
export const ICMPV6_DESTINATION_UNREACHABLE = 1
export const ICMPV6_PACKET_TOO_BIG = 2
export const ICMPV6_TIME_EXCEEDED = 3
export const ICMPV6_PARAMETER_PROBLEM = 4
export const ICMPV6_ECHO_REQUEST = 128
export const ICMPV6_ECHO_REPLY = 129

/** Destination Unreachable codes (RFC 4443 §3.1). */
export const UNREACHABLE_NO_ROUTE = 0
export const UNREACHABLE_ADMIN_PROHIBITED = 1
export const UNREACHABLE_ADDRESS = 3
export const UNREACHABLE_PORT = 4

/** RFC 8200 §5: every IPv6 link carries 1280 bytes; an ICMPv6 error must not exceed it (RFC 4443 §2.4 c). */
export const IPV6_MIN_MTU = 1280
export const ICMPV6_HEADER_BYTES = 4
/** Type, code, checksum and the 4-byte field (unused / MTU / pointer / identifier+sequence). */
export const ICMPV6_FIXED_BYTES = 8
export const ICMPV6_ERROR_HOP_LIMIT = 64

export type Icmpv6Summary =
  | { kind: 'echo', type: typeof ICMPV6_ECHO_REQUEST | typeof ICMPV6_ECHO_REPLY, identifier: number, sequence: number }
  | { kind: 'error', type: number, code: number, /** The invoking packet (a view, usually truncated). */ invoking: Buffer }
  | { kind: 'other', type: number, code: number }

/** Error types are 0..127 (RFC 4443 §2.1). */
export function isIcmpv6ErrorType (type: number): boolean {
  return type < 128
}

/** Reads the ICMPv6 message starting at `offset` of `bytes`; throws DecodeError when too short for its type. */
export function parseIcmpv6Message (bytes: Buffer, offset: number): Icmpv6Summary {
  if (offset < 0 || offset + ICMPV6_HEADER_BYTES > bytes.length) throw new DecodeError('ICMPv6: shorter than 4 bytes')
  const type = bytes[offset] as number
  const code = bytes[offset + 1] as number
  if (type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY) {
    if (offset + ICMPV6_FIXED_BYTES > bytes.length) throw new DecodeError('ICMPv6 echo: shorter than 8 bytes')
    return { kind: 'echo', type, identifier: bytes.readUInt16BE(offset + 4), sequence: bytes.readUInt16BE(offset + 6) }
  }
  if (isIcmpv6ErrorType(type)) {
    if (offset + ICMPV6_FIXED_BYTES > bytes.length) throw new DecodeError('ICMPv6 error: shorter than 8 bytes')
    return { kind: 'error', type, code, invoking: bytes.subarray(offset + ICMPV6_FIXED_BYTES) }
  }
  return { kind: 'other', type, code }
}

/**
 * An ICMPv6 error message (RFC 4443 §2.4) about `invoking`, from `source` to
 * `destination`: type, code, checksum, the 32-bit `parameter` (MTU for
 * Packet Too Big, 0 otherwise) and as much of the invoking packet as fits in
 * 1280 bytes.
 */
export function buildIcmpv6Error (source: Uint8Array, destination: Uint8Array, type: number, code: number, parameter: number, invoking: Uint8Array): Buffer {
  if (!isIcmpv6ErrorType(type)) throw new RangeError(`ICMPv6 type ${type} is not an error type`)
  const room = IPV6_MIN_MTU - IPV6_HEADER_BYTES - ICMPV6_FIXED_BYTES
  const quoted = invoking.subarray(0, Math.min(room, invoking.byteLength))
  const message = Buffer.alloc(ICMPV6_FIXED_BYTES + quoted.byteLength)
  message[0] = type
  message[1] = code
  message.writeUInt32BE(parameter >>> 0, 4)
  message.set(quoted, ICMPV6_FIXED_BYTES)
  message.writeUInt16BE(icmpv6Checksum(source, destination, message), 2)
  return encodeIpv6Packet({ nextHeader: IPPROTO_ICMPV6, hopLimit: ICMPV6_ERROR_HOP_LIMIT, source, destination }, message)
}
