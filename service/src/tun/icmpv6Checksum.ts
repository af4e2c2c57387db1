import { IPV6_ADDRESS_BYTES } from './ipv6Packet.js'
import { finishChecksum, ipv6PseudoHeaderSum, sumWords } from './packets/internetChecksum.js'

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
  return finishChecksum(ipv6PseudoHeaderSum(source, destination, message.byteLength, IPPROTO_ICMPV6) + sumWords(message))
}
