import { DecodeError } from '../../wire/index.js'
import { icmpv6Checksum } from '../icmpv6Checksum.js'
import { IPV6_HEADER_BYTES } from '../ipv6Packet.js'
import { ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_FIXED_BYTES, IPV6_MIN_MTU } from '../packets/icmpv6Messages.js'
import { adjustChecksum, finishChecksum, ipv6PseudoHeaderSum, sumWords } from '../packets/internetChecksum.js'
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from '../packets/ipProtocolNumbers.js'
import { parseTcpHeader, parseUdpHeader } from '../packets/transportPorts.js'
import {
  ICMPV4_ECHO_REPLY, ICMPV4_ECHO_REQUEST, icmpv4ToIcmpv6, isIcmpv4Error
} from './icmpTypeMapping.js'
import { parseIpv4Packet, parseQuotedIpv4Packet, type Ipv4Header } from './ipv4Packet.js'
import { dropped, fixQuotedChecksum, icmpMessage, translatedIcmpBody, TCP_CHECKSUM_OFFSET, UDP_CHECKSUM_OFFSET, type Translation, type TranslationDrop } from './translation.js'

/** The AP address an IPv4 address of this host's mapping stands for (the own address included), or undefined. */
export type AddressTo6 = (ipv4: number) => Buffer | undefined

/**
 * IPv4 → IPv6 (RFC 7915 §4, for packets a host sends): the 20-byte header
 * becomes a 40-byte one with the mapped addresses; type of service → traffic
 * class, TTL → hop limit (a host's own packet: not decremented), options
 * dropped. TCP and UDP checksums are updated for the new pseudo-header
 * (RFC 1624; a UDP checksum of zero is computed, IPv6 requires one). ICMP echo
 * becomes ICMPv6 echo; destination unreachable and time exceeded become their
 * ICMPv6 counterparts with the quoted packet translated too. Fragments and
 * other protocols are not translated.
 *
 * Never throws because of the packet's content.
 */
export function translateIpv4ToIpv6 (packet: Buffer, to6: AddressTo6): Translation {
  let header: Ipv4Header
  try {
    header = parseIpv4Packet(packet)
  } catch (error) {
    if (error instanceof DecodeError) return dropped('malformed')
    throw error
  }
  if (header.moreFragments || header.fragmentOffset !== 0) return dropped('fragment')
  const source = to6(header.source)
  const destination = to6(header.destination)
  if (source === undefined || destination === undefined) return dropped('unmapped')
  const payload = packet.subarray(header.headerLength)
  const addressSum4 = addressSum(header)
  switch (header.protocol) {
    case IPPROTO_TCP:
    case IPPROTO_UDP: {
      try {
        if (header.protocol === IPPROTO_TCP) parseTcpHeader(payload, 0)
        else parseUdpHeader(payload, 0)
      } catch (error) {
        if (error instanceof DecodeError) return dropped('malformed')
        throw error
      }
      const out = ipv6Packet(header, header.protocol, source, destination, payload)
      const at = IPV6_HEADER_BYTES + (header.protocol === IPPROTO_TCP ? TCP_CHECKSUM_OFFSET : UDP_CHECKSUM_OFFSET)
      const old = out.readUInt16BE(at)
      let checksum: number
      if (header.protocol === IPPROTO_UDP && old === 0) {
        checksum = finishChecksum(ipv6PseudoHeaderSum(source, destination, payload.length, IPPROTO_UDP) + sumWords(out, IPV6_HEADER_BYTES))
      } else {
        checksum = adjustChecksum(old, addressSum4, sumWords(source) + sumWords(destination))
      }
      if (header.protocol === IPPROTO_UDP && checksum === 0) checksum = 0xffff
      out.writeUInt16BE(checksum, at)
      return { packet: out }
    }
    case IPPROTO_ICMP: {
      const message = icmpMessageToIpv6(payload, source, destination, to6)
      if (typeof message === 'string') return dropped(message)
      return { packet: ipv6Packet(header, IPPROTO_ICMPV6, source, destination, message) }
    }
    default:
      return dropped('protocol')
  }
}

function icmpMessageToIpv6 (icmp: Buffer, source: Buffer, destination: Buffer, to6: AddressTo6): Buffer | TranslationDrop {
  if (icmp.length < ICMPV6_FIXED_BYTES) return 'malformed'
  const translation = icmpv4ToIcmpv6(icmp[0] as number, icmp[1] as number)
  if (translation === null) return 'icmp-type'
  // RFC 4443 §2.4 (c): the whole error fits in the IPv6 minimum MTU
  const body = translatedIcmpBody(icmp, translation.parameter === 'copy', (bytes) => quotedPacketToIpv6(bytes, to6),
    IPV6_MIN_MTU - IPV6_HEADER_BYTES - ICMPV6_FIXED_BYTES)
  if (typeof body === 'string') return body
  let parameter: number
  if (translation.parameter === 'copy') parameter = icmp.readUInt32BE(4)
  else if (translation.parameter === 'zero') parameter = 0
  else if (translation.parameter === 'mtu') parameter = Math.max(IPV6_MIN_MTU, icmp.readUInt16BE(6) + 20)
  else parameter = translation.parameter.pointer
  const message = icmpMessage(translation.type, translation.code, parameter, body)
  message.writeUInt16BE(icmpv6Checksum(source, destination, message), 2)
  return message
}

/**
 * The packet an ICMPv4 error quotes (a packet this host received, so from the
 * peer to us, usually cut short) as the IPv6 packet it was before the
 * translator delivered it. The payload length field keeps the original length.
 */
function quotedPacketToIpv6 (bytes: Buffer, to6: AddressTo6): Buffer | TranslationDrop {
  let header: Ipv4Header
  try {
    header = parseQuotedIpv4Packet(bytes)
  } catch (error) {
    if (error instanceof DecodeError) return 'malformed'
    throw error
  }
  if (header.fragmentOffset !== 0) return 'fragment'
  const source = to6(header.source)
  const destination = to6(header.destination)
  if (source === undefined || destination === undefined) return 'unmapped'
  const quoted = bytes.subarray(header.headerLength, Math.min(bytes.length, header.totalLength))
  let nextHeader = header.protocol
  if (header.protocol === IPPROTO_ICMP) {
    nextHeader = IPPROTO_ICMPV6
    if (quoted.length > 0 && isIcmpv4Error(quoted[0] as number)) return 'icmp-type'
  } else if (header.protocol !== IPPROTO_TCP && header.protocol !== IPPROTO_UDP) {
    return 'protocol'
  }
  const out = Buffer.alloc(IPV6_HEADER_BYTES + quoted.length)
  writeIpv6Header(out, header, header.totalLength - header.headerLength, nextHeader, source, destination)
  quoted.copy(out, IPV6_HEADER_BYTES)
  if (header.protocol === IPPROTO_ICMP && quoted.length > 0) {
    if (quoted[0] === ICMPV4_ECHO_REQUEST) out[IPV6_HEADER_BYTES] = ICMPV6_ECHO_REQUEST
    else if (quoted[0] === ICMPV4_ECHO_REPLY) out[IPV6_HEADER_BYTES] = ICMPV6_ECHO_REPLY
  } else {
    fixQuotedChecksum(out, header.protocol, addressSum(header), sumWords(source) + sumWords(destination), IPV6_HEADER_BYTES)
  }
  return out
}

function addressSum (header: Ipv4Header): number {
  return (header.source >>> 16) + (header.source & 0xffff) + (header.destination >>> 16) + (header.destination & 0xffff)
}

function ipv6Packet (header: Ipv4Header, nextHeader: number, source: Buffer, destination: Buffer, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(IPV6_HEADER_BYTES + payload.length)
  writeIpv6Header(out, header, payload.length, nextHeader, source, destination)
  payload.copy(out, IPV6_HEADER_BYTES)
  return out
}

function writeIpv6Header (out: Buffer, header: Ipv4Header, payloadLength: number, nextHeader: number, source: Buffer, destination: Buffer): void {
  out.writeUInt32BE(((6 << 28) | (header.typeOfService << 20)) >>> 0, 0)
  out.writeUInt16BE(payloadLength, 4)
  out[6] = nextHeader
  out[7] = header.ttl
  source.copy(out, 8)
  destination.copy(out, 24)
}
