import { icmpv6Checksum, IPPROTO_ICMPV6 } from '../../../src/tun/icmpv6Checksum.js'
import { encodeIpv6Packet, parseIpv6Packet } from '../../../src/tun/ipv6Packet.js'
import { ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST } from '../../../src/tun/packets/icmpv6Messages.js'

export interface EchoFields {
  source: Uint8Array
  destination: Uint8Array
  identifier: number
  sequence: number
  data: Uint8Array
}

/**
 * An IPv6 packet carrying an ICMPv6 echo request (RFC 4443 §4.1) whose
 * checksum is computed over the given source: a packet with a forged source
 * is as well formed as a genuine one, so only a source check can reject it.
 */
export function echoRequestPacket (fields: EchoFields): Buffer {
  if (!Number.isInteger(fields.identifier) || fields.identifier < 0 || fields.identifier > 0xffff) throw new RangeError('identifier must be 0..65535')
  if (!Number.isInteger(fields.sequence) || fields.sequence < 0 || fields.sequence > 0xffff) throw new RangeError('sequence must be 0..65535')
  const message = Buffer.alloc(8 + fields.data.byteLength)
  message[0] = ICMPV6_ECHO_REQUEST
  message.writeUInt16BE(fields.identifier, 4)
  message.writeUInt16BE(fields.sequence, 6)
  message.set(fields.data, 8)
  message.writeUInt16BE(icmpv6Checksum(fields.source, fields.destination, message), 2)
  return encodeIpv6Packet({ nextHeader: IPPROTO_ICMPV6, hopLimit: 64, source: fields.source, destination: fields.destination }, message)
}

export interface EchoReply {
  source: Buffer
  destination: Buffer
  identifier: number
  sequence: number
  /** The ICMPv6 checksum verifies over the packet's own addresses. */
  checksumValid: boolean
}

/** The echo reply an IPv6 packet carries, or null for anything else (malformed packets included). */
export function parseEchoReply (packet: Uint8Array): EchoReply | null {
  let parsed
  try { parsed = parseIpv6Packet(packet) } catch { return null }
  const { header, payload } = parsed
  if (header.nextHeader !== IPPROTO_ICMPV6 || payload.length < 8 || payload[0] !== ICMPV6_ECHO_REPLY || payload[1] !== 0) return null
  return {
    source: Buffer.from(header.source),
    destination: Buffer.from(header.destination),
    identifier: payload.readUInt16BE(4),
    sequence: payload.readUInt16BE(6),
    checksumValid: icmpv6Checksum(header.source, header.destination, payload) === 0
  }
}
