import { DecodeError } from '../../wire/index.js'
import { IPV6_ADDRESS_BYTES, IPV6_HEADER_BYTES, parseIpv6Packet } from '../ipv6Packet.js'
import { locateUpperLayer, type FragmentInfo } from './extensionHeaderChain.js'
import { parseIcmpv6Message, type Icmpv6Summary } from './icmpv6Messages.js'
import { IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from './ipProtocolNumbers.js'
import { parseTcpHeader, parseUdpHeader, readPorts, type TransportPorts } from './transportPorts.js'

/** What the router and the firewall need to know about one IPv6 packet. */
export interface PacketSummary {
  /** Views into the packet. */
  source: Buffer
  destination: Buffer
  /** Upper-layer protocol after the extension headers. */
  protocol: number
  fragment: FragmentInfo | null
  /** TCP/UDP ports; null for other protocols and for fragments after the first. */
  ports: TransportPorts | null
  /** TCP flags (0 unless TCP with its header present). */
  tcpFlags: number
  /** ICMPv6 message; null unless ICMPv6 with its header present. */
  icmp: Icmpv6Summary | null
}

/** True for a fragment other than the first: its transport header is elsewhere. */
function isLaterFragment (fragment: FragmentInfo | null): boolean {
  return fragment !== null && fragment.offset !== 0
}

/**
 * Strict summary of a whole packet (as read from the TUN device or received
 * in a DATAGRAM): the IPv6 header must be exact (parseIpv6Packet), the
 * extension headers must fit, and a TCP/UDP/ICMPv6 header must be complete
 * (a first fragment's UDP length is not checked: it counts the whole
 * datagram). Throws DecodeError otherwise.
 */
export function summarizePacket (packet: Uint8Array): PacketSummary {
  const { header, payload } = parseIpv6Packet(packet)
  const where = locateUpperLayer(header.nextHeader, payload)
  const summary: PacketSummary = {
    source: header.source,
    destination: header.destination,
    protocol: where.protocol,
    fragment: where.fragment,
    ports: null,
    tcpFlags: 0,
    icmp: null
  }
  if (isLaterFragment(where.fragment)) return summary
  const fragmented = where.fragment !== null
  if (where.protocol === IPPROTO_TCP) {
    const tcp = parseTcpHeader(payload, where.offset)
    summary.ports = { sourcePort: tcp.sourcePort, destinationPort: tcp.destinationPort }
    summary.tcpFlags = tcp.flags
  } else if (where.protocol === IPPROTO_UDP) {
    summary.ports = fragmented ? readPorts(payload, where.offset) : parseUdpHeader(payload, where.offset)
  } else if (where.protocol === IPPROTO_ICMPV6) {
    summary.icmp = parseIcmpv6Message(payload, where.offset)
  }
  return summary
}

/** The part of a packet quoted in an ICMPv6 error that can be matched to a flow. */
export interface InvokingPacketSummary {
  source: Buffer
  destination: Buffer
  protocol: number
  /** TCP/UDP ports when at least 4 bytes of the transport header were quoted. */
  ports: TransportPorts | null
  /** ICMPv6 echo identifier when an echo request/reply was quoted. */
  echoIdentifier: number | null
  /** Type of a quoted ICMPv6 message (errors about errors are never sent, RFC 4443 §2.4 e). */
  icmpType: number | null
}

/**
 * Lenient summary of the (usually truncated) packet an ICMPv6 error quotes:
 * the fixed header must be present and say version 6; extension headers and
 * the first bytes of the transport header are read as far as they were
 * quoted. Returns null when nothing matchable is there; never throws.
 */
export function summarizeInvokingPacket (bytes: Buffer): InvokingPacketSummary | null {
  if (bytes.length < IPV6_HEADER_BYTES || (bytes[0] as number) >> 4 !== 6) return null
  const payload = bytes.subarray(IPV6_HEADER_BYTES)
  let where
  try {
    where = locateUpperLayer(bytes[6] as number, payload)
  } catch (error) {
    if (error instanceof DecodeError) return null
    throw error
  }
  if (isLaterFragment(where.fragment)) return null
  const summary: InvokingPacketSummary = {
    source: bytes.subarray(8, 8 + IPV6_ADDRESS_BYTES),
    destination: bytes.subarray(24, 24 + IPV6_ADDRESS_BYTES),
    protocol: where.protocol,
    ports: null,
    echoIdentifier: null,
    icmpType: null
  }
  if (where.protocol === IPPROTO_TCP || where.protocol === IPPROTO_UDP) {
    if (where.offset + 4 > payload.length) return null
    summary.ports = readPorts(payload, where.offset)
  } else if (where.protocol === IPPROTO_ICMPV6) {
    try {
      const icmp = parseIcmpv6Message(payload, where.offset)
      summary.icmpType = icmp.type
      if (icmp.kind === 'echo') summary.echoIdentifier = icmp.identifier
    } catch (error) {
      if (error instanceof DecodeError) return null
      throw error
    }
  }
  return summary
}
