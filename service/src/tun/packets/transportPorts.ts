import { DecodeError } from '../../wire/index.js'

export const UDP_HEADER_BYTES = 8
export const TCP_MIN_HEADER_BYTES = 20
/** Bytes of a TCP or UDP header that hold the two ports. */
export const PORT_BYTES = 4

export const TCP_FIN = 0x01
export const TCP_SYN = 0x02
export const TCP_RST = 0x04
export const TCP_ACK = 0x10

export interface TransportPorts {
  sourcePort: number
  destinationPort: number
}

export interface TcpSegmentHeader extends TransportPorts {
  /** The low 8 flag bits (CWR ECE URG ACK PSH RST SYN FIN). */
  flags: number
}

/** Source and destination port of a TCP or UDP header (the first 4 bytes); `bytes` may be truncated after them. */
export function readPorts (bytes: Uint8Array, offset: number): TransportPorts {
  if (offset < 0 || offset + PORT_BYTES > bytes.byteLength) throw new DecodeError('transport header: too short for ports')
  return {
    sourcePort: ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number),
    destinationPort: ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number)
  }
}

/** A complete TCP header: at least 20 bytes, data offset 5..15 words, all of it present. */
export function parseTcpHeader (bytes: Uint8Array, offset: number): TcpSegmentHeader {
  if (offset < 0 || offset + TCP_MIN_HEADER_BYTES > bytes.byteLength) throw new DecodeError('TCP header: shorter than 20 bytes')
  const dataOffset = ((bytes[offset + 12] as number) >> 4) * 4
  if (dataOffset < TCP_MIN_HEADER_BYTES) throw new DecodeError(`TCP header: data offset ${dataOffset} below 20`)
  if (offset + dataOffset > bytes.byteLength) throw new DecodeError('TCP header: options run past the packet')
  return { ...readPorts(bytes, offset), flags: bytes[offset + 13] as number }
}

/** A complete UDP header: 8 bytes whose length field matches the bytes present. */
export function parseUdpHeader (bytes: Uint8Array, offset: number): TransportPorts {
  if (offset < 0 || offset + UDP_HEADER_BYTES > bytes.byteLength) throw new DecodeError('UDP header: shorter than 8 bytes')
  const length = ((bytes[offset + 4] as number) << 8) | (bytes[offset + 5] as number)
  if (length !== bytes.byteLength - offset) throw new DecodeError(`UDP header: length ${length}, ${bytes.byteLength - offset} bytes present`)
  return readPorts(bytes, offset)
}
