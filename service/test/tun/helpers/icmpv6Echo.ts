import { icmpv6Checksum, IPPROTO_ICMPV6 } from '../../../src/tun/icmpv6Checksum.js'
import { encodeIpv6Packet, parseIpv6Packet } from '../../../src/tun/ipv6Packet.js'

export const ICMPV6_ECHO_REQUEST = 128
export const ICMPV6_ECHO_REPLY = 129

/** The echo reply (RFC 4443 §4.2) to an IPv6 packet carrying an echo request, or null if it carries none. Throws DecodeError on a malformed packet. */
export function echoReplyFor (packet: Uint8Array): Buffer | null {
  const { header, payload } = parseIpv6Packet(packet)
  if (header.nextHeader !== IPPROTO_ICMPV6 || payload.length < 8 || payload[0] !== ICMPV6_ECHO_REQUEST || payload[1] !== 0) return null
  const message = Buffer.from(payload)
  message[0] = ICMPV6_ECHO_REPLY
  message.writeUInt16BE(0, 2)
  message.writeUInt16BE(icmpv6Checksum(header.destination, header.source, message), 2)
  return encodeIpv6Packet({ nextHeader: IPPROTO_ICMPV6, hopLimit: 64, source: header.destination, destination: header.source }, message)
}
