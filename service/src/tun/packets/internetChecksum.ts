/**
 * The Internet checksum (RFC 1071) in parts, so that IPv4, IPv6, TCP, UDP and
 * ICMP checksums are built from the same pieces: sums of 16-bit big-endian
 * words, folded to 16 bits, complemented at the end; and the incremental
 * update of RFC 1624 for headers whose addresses change.
 */

/** Sum of the 16-bit big-endian words of bytes[start..end) (an odd last byte padded with zero), not folded. */
export function sumWords (bytes: Uint8Array, start = 0, end = bytes.byteLength): number {
  let sum = 0
  const even = start + ((end - start) & ~1)
  for (let i = start; i < even; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number)
  if (even < end) sum += (bytes[even] as number) << 8
  return sum
}

/** Folds a sum of words to 16 bits (end-around carry). */
export function foldSum (sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000)
  return sum
}

/** The checksum field for a sum that covers everything but the field itself. */
export function finishChecksum (sum: number): number {
  return (~foldSum(sum)) & 0xffff
}

/** Sum of the IPv6 pseudo-header (RFC 8200 §8.1): addresses, 32-bit upper-layer length, next header. */
export function ipv6PseudoHeaderSum (source: Uint8Array, destination: Uint8Array, length: number, nextHeader: number): number {
  return sumWords(source) + sumWords(destination) + Math.floor(length / 0x10000) + (length & 0xffff) + nextHeader
}

/** Sum of the IPv4 pseudo-header (RFC 793 §3.1, RFC 768): addresses, protocol, 16-bit length. */
export function ipv4PseudoHeaderSum (source: number, destination: number, length: number, protocol: number): number {
  return (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff) + protocol + length
}

/**
 * RFC 1624 eqn. 3: the new checksum after words summing to `removed` were
 * replaced by words summing to `added` (HC' = ~(~HC + ~m + m')).
 */
export function adjustChecksum (checksum: number, removed: number, added: number): number {
  const sum = ((~checksum) & 0xffff) + ((~foldSum(removed)) & 0xffff) + foldSum(added)
  return (~foldSum(sum)) & 0xffff
}
