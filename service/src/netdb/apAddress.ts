import { blake2b256 } from '../crypto/hash.js'
import { formatIpv6, parseIpv6 } from './ipv6Text.js'

/** The AP network is fd50::/16 (PROTOCOL.md §3). */
export const AP_PREFIX = Buffer.from([0xfd, 0x50])
export const AP_ADDRESS_BYTES = 16
const AP_DERIVATION_LABEL = Buffer.from('phantom-ap-v1')

/** ap = 0xfd 0x50 || first 14 bytes of BLAKE2b-256("phantom-ap-v1" || routingPub). */
export function deriveApAddress (routingPub: Uint8Array): Buffer {
  if (routingPub.byteLength !== 32) throw new RangeError('routing public key must be 32 bytes')
  const digest = blake2b256([AP_DERIVATION_LABEL, routingPub])
  return Buffer.concat([AP_PREFIX, digest.subarray(0, AP_ADDRESS_BYTES - AP_PREFIX.length)])
}

/** True when `bytes` is 16 bytes inside fd50::/16. Says nothing about derivation. */
export function isApAddress (bytes: unknown): bytes is Uint8Array {
  return bytes instanceof Uint8Array &&
    bytes.byteLength === AP_ADDRESS_BYTES &&
    bytes[0] === AP_PREFIX[0] &&
    bytes[1] === AP_PREFIX[1]
}

/** Canonical (RFC 5952) text of an AP address, e.g. "fd50:1234:…". */
export function formatApAddress (ap: Uint8Array): string {
  if (!isApAddress(ap)) throw new RangeError('not an AP address (16 bytes inside fd50::/16)')
  return formatIpv6(ap)
}

/**
 * Parses any RFC 4291 text form of an IPv6 address and requires it to lie
 * inside fd50::/16. Throws an Error saying what is wrong otherwise.
 */
export function parseApAddress (text: string): Buffer {
  const bytes = parseIpv6(text)
  if (!isApAddress(bytes)) throw new Error(`not an AP address: ${text} is outside fd50::/16`)
  return bytes
}
