import { ICMPV4_FIXED_BYTES } from './icmpTypeMapping.js'
import { finishChecksum, sumWords } from '../packets/internetChecksum.js'
import { IPPROTO_ICMP } from '../packets/ipProtocolNumbers.js'
import { IPV4_HEADER_BYTES, writeIpv4Header } from './ipv4Packet.js'

/** RFC 1812 §4.3.2.3: an ICMPv4 error is at most 576 bytes. */
export const ICMPV4_ERROR_MAX_BYTES = 576
const ICMPV4_ERROR_TTL = 64

/** An ICMPv4 error (RFC 792) from `source` to `destination` quoting as much of `invoking` as fits in 576 bytes. */
export function buildIcmpv4Error (source: number, destination: number, type: number, code: number, invoking: Uint8Array): Buffer {
  const quoted = invoking.subarray(0, ICMPV4_ERROR_MAX_BYTES - IPV4_HEADER_BYTES - ICMPV4_FIXED_BYTES)
  const out = Buffer.alloc(IPV4_HEADER_BYTES + ICMPV4_FIXED_BYTES + quoted.byteLength)
  writeIpv4Header(out, 0, { typeOfService: 0, ttl: ICMPV4_ERROR_TTL, protocol: IPPROTO_ICMP, source, destination, totalLength: out.length })
  out[IPV4_HEADER_BYTES] = type
  out[IPV4_HEADER_BYTES + 1] = code
  out.set(quoted, IPV4_HEADER_BYTES + ICMPV4_FIXED_BYTES)
  out.writeUInt16BE(finishChecksum(sumWords(out, IPV4_HEADER_BYTES)), IPV4_HEADER_BYTES + 2)
  return out
}
