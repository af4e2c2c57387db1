import { IPV6_ADDRESS_BYTES } from './ipv6Packet.js'

export const IPPROTO_ICMPV6 = 58

/**
 * The ICMPv6 checksum (RFC 4443 §2.3): the ones' complement of the ones'
 * complement sum over the IPv6 pseudo-header (source, destination, upper-layer
 * length, next header 58) and the ICMPv6 message, whose checksum field
 * (bytes 2..3) must be zero while computing. Verifying a message that carries
 * its checksum gives 0.
 */
export function icmpv6Checksum (source: Uint8Array, destination: Uint8Array, message: Uint8Array): number {
  if (source.byteLength !== IPV6_ADDRESS_BYTES || destination.byteLength !== IPV6_ADDRESS_BYTES) {
    throw new RangeError('IPv6 addresses must be 16 bytes')
  }
  let sum = 0
  sum += sum16(source)
  sum += sum16(destination)
  const length = message.byteLength
  sum += Math.floor(length / 0x10000) + (length & 0xffff)
  sum += IPPROTO_ICMPV6
  sum += sum16(message)
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return (~sum) & 0xffff
}

function sum16 (bytes: Uint8Array): number {
  let sum = 0
  const even = bytes.byteLength & ~1
  for (let i = 0; i < even; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number)
  if (even < bytes.byteLength) sum += (bytes[even] as number) << 8
  return sum
}
