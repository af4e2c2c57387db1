/**
 * Crafted IPv6 packets for the router and firewall tests. Checksums of TCP
 * and UDP are left zero (the router does not look at them); ICMPv6 ones are
 * computed.
 */
import { icmpv6Checksum } from '../../../src/tun/icmpv6Checksum.js'
import { encodeIpv6Packet } from '../../../src/tun/ipv6Packet.js'
import { parseIpv6 } from '../../../src/netdb/ipv6Text.js'

export const TCP = 6
export const UDP = 17
export const ICMPV6 = 58
export const FIN = 0x01
export const SYN = 0x02
export const RST = 0x04
export const ACK = 0x10

export function addr (text: string): Buffer {
  return parseIpv6(text)
}

export function tcpPacket (source: Buffer, destination: Buffer, sourcePort: number, destinationPort: number, flags: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const segment = Buffer.alloc(20 + data.byteLength)
  segment.writeUInt16BE(sourcePort, 0)
  segment.writeUInt16BE(destinationPort, 2)
  segment.writeUInt32BE(1000, 4)
  segment[12] = 5 << 4
  segment[13] = flags
  segment.writeUInt16BE(65535, 14)
  segment.set(data, 20)
  return encodeIpv6Packet({ nextHeader: TCP, hopLimit: 64, source, destination }, segment)
}

export function udpPacket (source: Buffer, destination: Buffer, sourcePort: number, destinationPort: number, data: Uint8Array = Buffer.from('hello')): Buffer {
  const datagram = Buffer.alloc(8 + data.byteLength)
  datagram.writeUInt16BE(sourcePort, 0)
  datagram.writeUInt16BE(destinationPort, 2)
  datagram.writeUInt16BE(datagram.length, 4)
  datagram.set(data, 8)
  return encodeIpv6Packet({ nextHeader: UDP, hopLimit: 64, source, destination }, datagram)
}

export function icmpPacket (source: Buffer, destination: Buffer, type: number, code: number, rest: Uint8Array): Buffer {
  const message = Buffer.alloc(4 + rest.byteLength)
  message[0] = type
  message[1] = code
  message.set(rest, 4)
  message.writeUInt16BE(icmpv6Checksum(source, destination, message), 2)
  return encodeIpv6Packet({ nextHeader: ICMPV6, hopLimit: 64, source, destination }, message)
}

export function echoPacket (source: Buffer, destination: Buffer, type: 128 | 129, identifier: number, sequence: number, size = 56): Buffer {
  const rest = Buffer.alloc(4 + size)
  rest.writeUInt16BE(identifier, 0)
  rest.writeUInt16BE(sequence, 2)
  return icmpPacket(source, destination, type, 0, rest)
}

/** An ICMPv6 error (type 1..4) quoting `invoking`, with the 32-bit parameter (MTU for type 2). */
export function icmpErrorPacket (source: Buffer, destination: Buffer, type: number, code: number, parameter: number, invoking: Buffer): Buffer {
  const rest = Buffer.alloc(4 + invoking.length)
  rest.writeUInt32BE(parameter, 0)
  invoking.copy(rest, 4)
  return icmpPacket(source, destination, type, code, rest)
}

/** `packet` with a hop-by-hop header (8 bytes of PadN) and a destination options header inserted before its upper layer. */
export function withExtensionHeaders (packet: Buffer): Buffer {
  const upper = packet[6] as number
  const hopByHop = Buffer.from([60, 0, 1, 4, 0, 0, 0, 0])
  const destinationOptions = Buffer.from([upper, 0, 1, 4, 0, 0, 0, 0])
  return encodeIpv6Packet({
    nextHeader: 0, hopLimit: 64, source: packet.subarray(8, 24), destination: packet.subarray(24, 40)
  }, Buffer.concat([hopByHop, destinationOptions, packet.subarray(40)]))
}

/** `packet` cut into a fragment with a fragment header (offset in bytes, multiple of 8). */
export function asFragment (packet: Buffer, offset: number, more: boolean, identification = 0x1234): Buffer {
  const upper = packet[6] as number
  const header = Buffer.alloc(8)
  header[0] = upper
  header.writeUInt16BE((offset & 0xfff8) | (more ? 1 : 0), 2)
  header.writeUInt32BE(identification, 4)
  return encodeIpv6Packet({
    nextHeader: 44, hopLimit: 64, source: packet.subarray(8, 24), destination: packet.subarray(24, 40)
  }, Buffer.concat([header, packet.subarray(40)]))
}
