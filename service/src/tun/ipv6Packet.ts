import { ByteReader, ByteWriter, DecodeError } from '../wire/index.js'

export const IPV6_HEADER_BYTES = 40
export const IPV6_ADDRESS_BYTES = 16
/** The largest payload an IPv6 header can describe without a jumbogram option. */
export const IPV6_MAX_PAYLOAD_BYTES = 0xffff

/** The fixed IPv6 header (RFC 8200 §3), as parsed from or written to a packet. */
export interface Ipv6Header {
  trafficClass: number
  flowLabel: number
  payloadLength: number
  nextHeader: number
  hopLimit: number
  source: Buffer
  destination: Buffer
}

export interface Ipv6Packet {
  header: Ipv6Header
  /** A view into the packet (not a copy): everything after the 40-byte header. */
  payload: Buffer
}

/**
 * Strict parser of one IPv6 packet as read from the TUN device: the version
 * must be 6 and the payload length must account for exactly the bytes that
 * follow the header (no truncation, no trailing bytes, no jumbograms).
 * Throws DecodeError otherwise. Extension headers are not walked: `nextHeader`
 * is the first one.
 */
export function parseIpv6Packet (packet: Uint8Array): Ipv6Packet {
  const bytes = Buffer.isBuffer(packet) ? packet : Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength)
  if (bytes.length < IPV6_HEADER_BYTES) {
    throw new DecodeError(`IPv6 packet: ${bytes.length} bytes is shorter than the ${IPV6_HEADER_BYTES}-byte header`)
  }
  const reader = new ByteReader(bytes.subarray(0, IPV6_HEADER_BYTES), 'IPv6 header')
  const first = reader.u32()
  const version = first >>> 28
  if (version !== 6) throw new DecodeError(`IPv6 packet: version ${version}, expected 6`)
  const payloadLength = reader.u16()
  const nextHeader = reader.u8()
  const hopLimit = reader.u8()
  const source = reader.bytes(IPV6_ADDRESS_BYTES)
  const destination = reader.bytes(IPV6_ADDRESS_BYTES)
  reader.end()
  const actual = bytes.length - IPV6_HEADER_BYTES
  if (payloadLength !== actual) {
    throw new DecodeError(`IPv6 packet: header says ${payloadLength} payload bytes, packet carries ${actual}`)
  }
  return {
    header: {
      trafficClass: (first >>> 20) & 0xff,
      flowLabel: first & 0xfffff,
      payloadLength,
      nextHeader,
      hopLimit,
      source,
      destination
    },
    payload: bytes.subarray(IPV6_HEADER_BYTES)
  }
}

export interface Ipv6PacketFields {
  trafficClass?: number
  flowLabel?: number
  nextHeader: number
  hopLimit: number
  source: Uint8Array
  destination: Uint8Array
}

/** Builds header + payload; the payload length field is computed. */
export function encodeIpv6Packet (fields: Ipv6PacketFields, payload: Uint8Array): Buffer {
  const trafficClass = fields.trafficClass ?? 0
  const flowLabel = fields.flowLabel ?? 0
  checkUint('traffic class', trafficClass, 0xff)
  checkUint('flow label', flowLabel, 0xfffff)
  checkUint('next header', fields.nextHeader, 0xff)
  checkUint('hop limit', fields.hopLimit, 0xff)
  if (fields.source.byteLength !== IPV6_ADDRESS_BYTES) throw new RangeError('source address must be 16 bytes')
  if (fields.destination.byteLength !== IPV6_ADDRESS_BYTES) throw new RangeError('destination address must be 16 bytes')
  if (payload.byteLength > IPV6_MAX_PAYLOAD_BYTES) throw new RangeError(`payload of ${payload.byteLength} bytes exceeds ${IPV6_MAX_PAYLOAD_BYTES}`)
  return new ByteWriter(IPV6_HEADER_BYTES + payload.byteLength)
    .u32(((6 << 28) | (trafficClass << 20) | flowLabel) >>> 0)
    .u16(payload.byteLength)
    .u8(fields.nextHeader)
    .u8(fields.hopLimit)
    .bytes(fields.source)
    .bytes(fields.destination)
    .bytes(payload)
    .finish()
}

function checkUint (what: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${what} must be an integer in 0..${max}`)
}
