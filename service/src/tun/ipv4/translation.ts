import { adjustChecksum } from '../packets/internetChecksum.js'
import { IPPROTO_TCP, IPPROTO_UDP } from '../packets/ipProtocolNumbers.js'

/** Why a packet could not be translated between IPv4 and IPv6 (it is dropped and counted). */
export type TranslationDrop =
  /** Not a well-formed packet (strict parse failed). */
  | 'malformed'
  /** A fragment: neither direction reassembles or translates fragments. */
  | 'fragment'
  /** An address (outer or quoted) with no mapping. */
  | 'unmapped'
  /** Neither TCP, UDP nor ICMP. */
  | 'protocol'
  /** An ICMP message the translator does not carry (RFC 7915 drops them too), or an error about an error. */
  | 'icmp-type'
  /** IPv6 extension headers (other than a fragment header) before the transport header. */
  | 'extension-headers'
  /** An IPv6 packet whose payload does not fit an IPv4 packet. */
  | 'too-big'

export type Translation = { packet: Buffer, drop?: undefined } | { drop: TranslationDrop }

export function dropped (drop: TranslationDrop): Translation {
  return { drop }
}

/** The checksum field's offset in a TCP and a UDP header. */
export const TCP_CHECKSUM_OFFSET = 16
export const UDP_CHECKSUM_OFFSET = 6

/** Updates a quoted TCP/UDP checksum for new addresses when the quote reaches it (UDP's "no checksum" zero stays). */
export function fixQuotedChecksum (packet: Buffer, protocol: number, removed: number, added: number, headerBytes: number): void {
  const at = headerBytes + (protocol === IPPROTO_TCP ? TCP_CHECKSUM_OFFSET : UDP_CHECKSUM_OFFSET)
  if (at + 2 > packet.length) return
  const old = packet.readUInt16BE(at)
  if (protocol === IPPROTO_UDP && old === 0) return
  const checksum = adjustChecksum(old, removed, added)
  packet.writeUInt16BE(protocol === IPPROTO_UDP && checksum === 0 ? 0xffff : checksum, at)
}

/** An ICMP or ICMPv6 message with its checksum field zero: type, code, the 32-bit field, body. */
export function icmpMessage (type: number, code: number, parameter: number, body: Uint8Array): Buffer {
  const message = Buffer.alloc(8 + body.byteLength)
  message[0] = type
  message[1] = code
  message.writeUInt32BE(parameter >>> 0, 4)
  message.set(body, 8)
  return message
}

/**
 * The part of an ICMP message after its 8 fixed bytes, for the other family:
 * an echo's data as it is; an error's quoted packet translated by `quote`
 * and cut to `maxQuoted` bytes.
 */
export function translatedIcmpBody (icmp: Buffer, isEcho: boolean, quote: (bytes: Buffer) => Buffer | TranslationDrop, maxQuoted: number): Buffer | TranslationDrop {
  if (isEcho) return icmp.subarray(8)
  const quoted = quote(icmp.subarray(8))
  return typeof quoted === 'string' ? quoted : quoted.subarray(0, maxQuoted)
}
