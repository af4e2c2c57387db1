/**
 * Crafted IPv4 packets for the translator tests, with every checksum right,
 * and checksum verifiers for both families. The checksum here is a plain
 * byte-by-byte RFC 1071 sum written apart from src/tun/packets/, so the tests
 * do not check the translator against itself.
 */
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from '../../../src/tun/packets/ipProtocolNumbers.js'

export function v4 (text: string): number {
  return text.split('.').reduce((value, part) => value * 256 + Number(part), 0)
}

/** RFC 1071 over the concatenation of `parts`, complemented. */
export function internetChecksum (...parts: Uint8Array[]): number {
  const bytes = Buffer.concat(parts.map((p) => Buffer.from(p)))
  let sum = 0
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) + (i + 1 < bytes.length ? bytes[i + 1]! : 0)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return (~sum) & 0xffff
}

function pseudo4 (source: number, destination: number, protocol: number, length: number): Buffer {
  const p = Buffer.alloc(12)
  p.writeUInt32BE(source, 0)
  p.writeUInt32BE(destination, 4)
  p[9] = protocol
  p.writeUInt16BE(length, 10)
  return p
}

function pseudo6 (source: Buffer, destination: Buffer, nextHeader: number, length: number): Buffer {
  const p = Buffer.alloc(40)
  source.copy(p, 0)
  destination.copy(p, 16)
  p.writeUInt32BE(length, 32)
  p[39] = nextHeader
  return p
}

export interface Ipv4Options { ttl?: number, tos?: number, flags?: number, identification?: number, options?: Buffer }

/** An IPv4 packet around `payload` with a correct header checksum. */
export function ipv4Packet (source: number, destination: number, protocol: number, payload: Uint8Array, o: Ipv4Options = {}): Buffer {
  const options = o.options ?? Buffer.alloc(0)
  const headerLength = 20 + options.length
  const packet = Buffer.alloc(headerLength + payload.byteLength)
  packet[0] = 0x40 | (headerLength / 4)
  packet[1] = o.tos ?? 0
  packet.writeUInt16BE(packet.length, 2)
  packet.writeUInt16BE(o.identification ?? 0x1111, 4)
  packet.writeUInt16BE(o.flags ?? 0x4000, 6)
  packet[8] = o.ttl ?? 64
  packet[9] = protocol
  packet.writeUInt32BE(source, 12)
  packet.writeUInt32BE(destination, 16)
  options.copy(packet, 20)
  packet.writeUInt16BE(internetChecksum(packet.subarray(0, headerLength)), 10)
  Buffer.from(payload).copy(packet, headerLength)
  return packet
}

export function tcp4 (source: number, destination: number, sourcePort: number, destinationPort: number, data: Uint8Array = Buffer.from('GET / HTTP/1.0\r\n\r\n'), o: Ipv4Options = {}): Buffer {
  const segment = Buffer.alloc(20 + data.byteLength)
  segment.writeUInt16BE(sourcePort, 0)
  segment.writeUInt16BE(destinationPort, 2)
  segment.writeUInt32BE(0x01020304, 4)
  segment[12] = 5 << 4
  segment[13] = 0x18
  segment.writeUInt16BE(64240, 14)
  Buffer.from(data).copy(segment, 20)
  segment.writeUInt16BE(internetChecksum(pseudo4(source, destination, IPPROTO_TCP, segment.length), segment), 16)
  return ipv4Packet(source, destination, IPPROTO_TCP, segment, o)
}

export function udp4 (source: number, destination: number, sourcePort: number, destinationPort: number, data: Uint8Array = Buffer.from('hello'), withChecksum = true): Buffer {
  const datagram = Buffer.alloc(8 + data.byteLength)
  datagram.writeUInt16BE(sourcePort, 0)
  datagram.writeUInt16BE(destinationPort, 2)
  datagram.writeUInt16BE(datagram.length, 4)
  Buffer.from(data).copy(datagram, 8)
  if (withChecksum) {
    const sum = internetChecksum(pseudo4(source, destination, IPPROTO_UDP, datagram.length), datagram)
    datagram.writeUInt16BE(sum === 0 ? 0xffff : sum, 6)
  }
  return ipv4Packet(source, destination, IPPROTO_UDP, datagram)
}

export function icmp4 (source: number, destination: number, type: number, code: number, rest: Uint8Array): Buffer {
  const message = Buffer.alloc(4 + rest.byteLength)
  message[0] = type
  message[1] = code
  Buffer.from(rest).copy(message, 4)
  message.writeUInt16BE(internetChecksum(message), 2)
  return ipv4Packet(source, destination, IPPROTO_ICMP, message)
}

export function echo4 (source: number, destination: number, type: 0 | 8, identifier: number, sequence: number, size = 56): Buffer {
  const rest = Buffer.alloc(4 + size, 0xab)
  rest.writeUInt16BE(identifier, 0)
  rest.writeUInt16BE(sequence, 2)
  return icmp4(source, destination, type, 0, rest)
}

/** True when the IPv4 header checksum and the TCP/UDP/ICMP checksum of `packet` are right. */
export function ipv4ChecksumsValid (packet: Buffer): boolean {
  const headerLength = (packet[0]! & 0x0f) * 4
  if (internetChecksum(packet.subarray(0, headerLength)) !== 0) return false
  const protocol = packet[9]!
  const payload = packet.subarray(headerLength)
  if (protocol === IPPROTO_ICMP) return internetChecksum(payload) === 0
  if (protocol === IPPROTO_UDP && payload.readUInt16BE(6) === 0) return true
  return internetChecksum(pseudo4(packet.readUInt32BE(12), packet.readUInt32BE(16), protocol, payload.length), payload) === 0
}

/** True when the TCP/UDP/ICMPv6 checksum of an IPv6 packet without extension headers is right (and UDP's is not zero). */
export function ipv6ChecksumValid (packet: Buffer): boolean {
  const nextHeader = packet[6]!
  const payload = packet.subarray(40)
  if (nextHeader === IPPROTO_UDP && payload.readUInt16BE(6) === 0) return false
  if (![IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6].includes(nextHeader)) throw new Error(`no checksum check for next header ${nextHeader}`)
  return internetChecksum(pseudo6(packet.subarray(8, 24), packet.subarray(24, 40), nextHeader, payload.length), payload) === 0
}

/** Fills in the TCP or UDP checksum of an IPv6 packet without extension headers (routerTestPackets leaves them zero). */
export function withChecksum6 (packet: Buffer): Buffer {
  const nextHeader = packet[6]!
  const at = 40 + (nextHeader === IPPROTO_TCP ? 16 : 6)
  packet.writeUInt16BE(0, at)
  const sum = internetChecksum(pseudo6(packet.subarray(8, 24), packet.subarray(24, 40), nextHeader, packet.length - 40), packet.subarray(40))
  packet.writeUInt16BE(nextHeader === IPPROTO_UDP && sum === 0 ? 0xffff : sum, at)
  return packet
}
