import { DecodeError } from '../../wire/index.js'
import { IPV6_ADDRESS_BYTES, IPV6_HEADER_BYTES, parseIpv6Packet, type Ipv6Header } from '../ipv6Packet.js'
import { ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_FIXED_BYTES, isIcmpv6ErrorType } from '../packets/icmpv6Messages.js'
import { adjustChecksum, finishChecksum, sumWords } from '../packets/internetChecksum.js'
import { IPPROTO_FRAGMENT, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, GENERIC_EXTENSION_HEADERS } from '../packets/ipProtocolNumbers.js'
import { parseTcpHeader, parseUdpHeader } from '../packets/transportPorts.js'
import { ICMPV4_ECHO_REPLY, ICMPV4_ECHO_REQUEST, icmpv6ToIcmpv4 } from './icmpTypeMapping.js'
import { IPV4_HEADER_BYTES, IPV4_MAX_PACKET_BYTES, writeIpv4Header } from './ipv4Packet.js'
import { ICMPV4_ERROR_MAX_BYTES } from './icmpv4Error.js'
import { dropped, fixQuotedChecksum, icmpMessage, translatedIcmpBody, TCP_CHECKSUM_OFFSET, UDP_CHECKSUM_OFFSET, type Translation, type TranslationDrop } from './translation.js'

/** The IPv4 address of this host's mapping an AP address stands for (the own address included), or undefined. */
export type AddressTo4 = (ap: Buffer) => number | undefined

/** The smallest MTU an IPv4 link may have (RFC 791). */
const IPV4_MIN_MTU = 68

/**
 * IPv6 → IPv4 (RFC 7915 §5, for packets a host receives on a flow it opened
 * over IPv4): the mapped addresses, traffic class → type of service, hop limit
 * → TTL, Don't Fragment set. TCP and UDP checksums are updated for the new
 * pseudo-header; ICMPv6 echo becomes ICMP echo; destination unreachable,
 * packet too big (MTU − 20), time exceeded and parameter problem (unknown next
 * header) become their ICMPv4 counterparts with the quoted packet translated.
 * Packets with extension headers, fragments and other protocols are not
 * translated.
 *
 * Never throws because of the packet's content.
 */
export function translateIpv6ToIpv4 (packet: Buffer, to4: AddressTo4): Translation {
  let header: Ipv6Header
  let payload: Buffer
  try {
    ({ header, payload } = parseIpv6Packet(packet))
  } catch (error) {
    if (error instanceof DecodeError) return dropped('malformed')
    throw error
  }
  const unsupported = unsupportedNextHeader(header.nextHeader)
  if (unsupported !== undefined) return dropped(unsupported)
  if (IPV4_HEADER_BYTES + payload.length > IPV4_MAX_PACKET_BYTES) return dropped('too-big')
  const source = to4(header.source)
  const destination = to4(header.destination)
  if (source === undefined || destination === undefined) return dropped('unmapped')

  if (header.nextHeader === IPPROTO_ICMPV6) {
    const message = icmpMessageToIpv4(payload, to4)
    if (typeof message === 'string') return dropped(message)
    return { packet: ipv4Packet(header, IPPROTO_ICMP, source, destination, message) }
  }
  try {
    if (header.nextHeader === IPPROTO_TCP) parseTcpHeader(payload, 0)
    else parseUdpHeader(payload, 0)
  } catch (error) {
    if (error instanceof DecodeError) return dropped('malformed')
    throw error
  }
  const at = header.nextHeader === IPPROTO_TCP ? TCP_CHECKSUM_OFFSET : UDP_CHECKSUM_OFFSET
  const old = payload.readUInt16BE(at)
  // RFC 8200 §8.1: a UDP checksum of zero is invalid over IPv6
  if (header.nextHeader === IPPROTO_UDP && old === 0) return dropped('malformed')
  const out = ipv4Packet(header, header.nextHeader, source, destination, payload)
  let checksum = adjustChecksum(old, sumWords(header.source) + sumWords(header.destination), addressSum(source, destination))
  if (header.nextHeader === IPPROTO_UDP && checksum === 0) checksum = 0xffff
  out.writeUInt16BE(checksum, IPV4_HEADER_BYTES + at)
  return { packet: out }
}

function unsupportedNextHeader (nextHeader: number): TranslationDrop | undefined {
  if (nextHeader === IPPROTO_TCP || nextHeader === IPPROTO_UDP || nextHeader === IPPROTO_ICMPV6) return undefined
  if (nextHeader === IPPROTO_FRAGMENT) return 'fragment'
  if (GENERIC_EXTENSION_HEADERS.has(nextHeader)) return 'extension-headers'
  return 'protocol'
}

function icmpMessageToIpv4 (icmp: Buffer, to4: AddressTo4): Buffer | TranslationDrop {
  if (icmp.length < ICMPV6_FIXED_BYTES) return 'malformed'
  const translation = icmpv6ToIcmpv4(icmp[0] as number, icmp[1] as number)
  if (translation === null) return 'icmp-type'
  const body = translatedIcmpBody(icmp, translation.parameter === 'copy', (bytes) => quotedPacketToIpv4(bytes, to4),
    ICMPV4_ERROR_MAX_BYTES - IPV4_HEADER_BYTES - ICMPV6_FIXED_BYTES)
  if (typeof body === 'string') return body
  const parameter = translation.parameter === 'copy'
    ? icmp.readUInt32BE(4)
    : translation.parameter === 'zero'
      ? 0
      : Math.min(0xffff, Math.max(IPV4_MIN_MTU, icmp.readUInt32BE(4) - (IPV6_HEADER_BYTES - IPV4_HEADER_BYTES)))
  const message = icmpMessage(translation.type, translation.code, parameter, body)
  message.writeUInt16BE(finishChecksum(sumWords(message)), 2)
  return message
}

/**
 * The packet an ICMPv6 error quotes (one this host sent, translated from IPv4,
 * usually cut short) as the IPv4 packet the host sent. Quoted packets with
 * extension headers are not translated.
 */
function quotedPacketToIpv4 (bytes: Buffer, to4: AddressTo4): Buffer | TranslationDrop {
  if (bytes.length < IPV6_HEADER_BYTES || (bytes[0] as number) >> 4 !== 6) return 'malformed'
  const nextHeader = bytes[6] as number
  const unsupported = unsupportedNextHeader(nextHeader)
  if (unsupported !== undefined) return unsupported
  const payloadLength = bytes.readUInt16BE(4)
  if (IPV4_HEADER_BYTES + payloadLength > IPV4_MAX_PACKET_BYTES) return 'too-big'
  const source6 = bytes.subarray(8, 8 + IPV6_ADDRESS_BYTES)
  const destination6 = bytes.subarray(24, 24 + IPV6_ADDRESS_BYTES)
  const source = to4(source6)
  const destination = to4(destination6)
  if (source === undefined || destination === undefined) return 'unmapped'
  const quoted = bytes.subarray(IPV6_HEADER_BYTES, IPV6_HEADER_BYTES + payloadLength)
  if (nextHeader === IPPROTO_ICMPV6 && quoted.length > 0 && isIcmpv6ErrorType(quoted[0] as number)) return 'icmp-type'
  const out = Buffer.alloc(IPV4_HEADER_BYTES + quoted.length)
  writeIpv4Header(out, 0, {
    typeOfService: ((bytes.readUInt32BE(0) >>> 20) & 0xff),
    ttl: bytes[7] as number,
    protocol: nextHeader === IPPROTO_ICMPV6 ? IPPROTO_ICMP : nextHeader,
    source,
    destination,
    totalLength: IPV4_HEADER_BYTES + payloadLength
  })
  quoted.copy(out, IPV4_HEADER_BYTES)
  if (nextHeader === IPPROTO_ICMPV6) {
    if (quoted[0] === ICMPV6_ECHO_REQUEST) out[IPV4_HEADER_BYTES] = ICMPV4_ECHO_REQUEST
    else if (quoted[0] === ICMPV6_ECHO_REPLY) out[IPV4_HEADER_BYTES] = ICMPV4_ECHO_REPLY
  } else {
    fixQuotedChecksum(out, nextHeader, sumWords(source6) + sumWords(destination6), addressSum(source, destination), IPV4_HEADER_BYTES)
  }
  return out
}

function addressSum (source: number, destination: number): number {
  return (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff)
}

function ipv4Packet (header: Ipv6Header, protocol: number, source: number, destination: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(IPV4_HEADER_BYTES + payload.length)
  writeIpv4Header(out, 0, { typeOfService: header.trafficClass, ttl: header.hopLimit, protocol, source, destination, totalLength: out.length })
  payload.copy(out, IPV4_HEADER_BYTES)
  return out
}
