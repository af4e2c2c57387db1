import { DecodeError } from '../../wire/index.js'
import { finishChecksum, foldSum, sumWords } from '../packets/internetChecksum.js'

export const IPV4_HEADER_BYTES = 20
/** The largest IPv4 packet (the total length field is 16 bits). */
export const IPV4_MAX_PACKET_BYTES = 0xffff
const FLAG_DONT_FRAGMENT = 0x4000
const FLAG_MORE_FRAGMENTS = 0x2000
const FRAGMENT_OFFSET_MASK = 0x1fff

/** The IPv4 header (RFC 791 §3.1) as the translator needs it; addresses as unsigned 32-bit numbers. */
export interface Ipv4Header {
  /** Bytes, options included (20..60). */
  headerLength: number
  totalLength: number
  typeOfService: number
  identification: number
  dontFragment: boolean
  moreFragments: boolean
  /** In bytes. */
  fragmentOffset: number
  ttl: number
  protocol: number
  source: number
  destination: number
}

/**
 * Strict parser of a whole IPv4 packet as read from the TUN device: version 4,
 * header length 20..60 bytes, total length equal to the bytes present, header
 * checksum correct. Throws DecodeError otherwise.
 */
export function parseIpv4Packet (packet: Uint8Array): Ipv4Header {
  const header = readHeader(packet)
  if (header.totalLength !== packet.byteLength) {
    throw new DecodeError(`IPv4 packet: total length ${header.totalLength}, ${packet.byteLength} bytes present`)
  }
  if (foldSum(sumWords(packet, 0, header.headerLength)) !== 0xffff) throw new DecodeError('IPv4 packet: bad header checksum')
  return header
}

/**
 * Lenient parser of the IPv4 packet an ICMP error quotes (usually cut short):
 * version 4 and the whole header present, total length at least the header.
 * The checksum is not checked. Throws DecodeError otherwise.
 */
export function parseQuotedIpv4Packet (packet: Uint8Array): Ipv4Header {
  return readHeader(packet)
}

function readHeader (bytes: Uint8Array): Ipv4Header {
  if (bytes.byteLength < IPV4_HEADER_BYTES) throw new DecodeError(`IPv4 packet: ${bytes.byteLength} bytes is shorter than a header`)
  const first = bytes[0] as number
  if (first >> 4 !== 4) throw new DecodeError(`IPv4 packet: version ${first >> 4}, expected 4`)
  const headerLength = (first & 0x0f) * 4
  if (headerLength < IPV4_HEADER_BYTES) throw new DecodeError(`IPv4 packet: header length ${headerLength} below 20`)
  if (headerLength > bytes.byteLength) throw new DecodeError('IPv4 packet: options run past the packet')
  const totalLength = read16(bytes, 2)
  if (totalLength < headerLength) throw new DecodeError(`IPv4 packet: total length ${totalLength} shorter than its header`)
  const flags = read16(bytes, 6)
  return {
    headerLength,
    totalLength,
    typeOfService: bytes[1] as number,
    identification: read16(bytes, 4),
    dontFragment: (flags & FLAG_DONT_FRAGMENT) !== 0,
    moreFragments: (flags & FLAG_MORE_FRAGMENTS) !== 0,
    fragmentOffset: (flags & FRAGMENT_OFFSET_MASK) * 8,
    ttl: bytes[8] as number,
    protocol: bytes[9] as number,
    source: read32(bytes, 12),
    destination: read32(bytes, 16)
  }
}

export interface Ipv4HeaderFields {
  typeOfService: number
  ttl: number
  protocol: number
  source: number
  destination: number
  /** Total length of the packet the header starts. */
  totalLength: number
}

/**
 * Writes a 20-byte header without options at `offset` of `target`, with
 * identification 0 and Don't Fragment set (RFC 6864 §4.1: an atomic datagram
 * needs no identification), and its checksum.
 */
export function writeIpv4Header (target: Buffer, offset: number, fields: Ipv4HeaderFields): void {
  if (fields.totalLength < IPV4_HEADER_BYTES || fields.totalLength > IPV4_MAX_PACKET_BYTES) {
    throw new RangeError(`IPv4 total length ${fields.totalLength} outside 20..65535`)
  }
  target[offset] = 0x45
  target[offset + 1] = fields.typeOfService & 0xff
  target.writeUInt16BE(fields.totalLength, offset + 2)
  target.writeUInt16BE(0, offset + 4)
  target.writeUInt16BE(FLAG_DONT_FRAGMENT, offset + 6)
  target[offset + 8] = fields.ttl & 0xff
  target[offset + 9] = fields.protocol & 0xff
  target.writeUInt16BE(0, offset + 10)
  target.writeUInt32BE(fields.source >>> 0, offset + 12)
  target.writeUInt32BE(fields.destination >>> 0, offset + 16)
  target.writeUInt16BE(finishChecksum(sumWords(target, offset, offset + IPV4_HEADER_BYTES)), offset + 10)
}

function read16 (bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) << 8) | (bytes[at + 1] as number)
}

function read32 (bytes: Uint8Array, at: number): number {
  return (((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number)) >>> 0
}
