import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES, MAX_STREAM_ID } from '../sessionLimits.js'
import { ErrorCode } from './errorCode.js'
import { FrameDecodeError } from './frameDecodeError.js'
import { isFrameType, streamIdRule, type FrameTypeValue } from './frameType.js'

/** T§6.1: type u8 | stream ID u24 BE | payload length u16 BE | padding length u8. */
export interface FrameHeader {
  type: FrameTypeValue
  streamId: number
  payloadLength: number
  paddingLength: number
}

export function encodeFrameHeader (header: FrameHeader, out: Buffer = Buffer.alloc(FRAME_HEADER_BYTES), offset = 0): Buffer {
  checkFrameHeader(header, (message) => new RangeError(message))
  out.writeUInt8(header.type, offset)
  out.writeUIntBE(header.streamId, offset + 1, 3)
  out.writeUInt16BE(header.payloadLength, offset + 4)
  out.writeUInt8(header.paddingLength, offset + 6)
  return out
}

/** Decodes and checks the first 7 bytes; does not look at what follows. */
export function decodeFrameHeader (bytes: Uint8Array): FrameHeader {
  if (bytes.byteLength < FRAME_HEADER_BYTES) throw new FrameDecodeError(`frame: truncated header (${bytes.byteLength} bytes)`, ErrorCode.FRAME_SIZE_ERROR)
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, FRAME_HEADER_BYTES)
  const type = view.readUInt8(0)
  if (!isFrameType(type)) throw new FrameDecodeError(`frame: unknown type 0x${type.toString(16)}`)
  const header: FrameHeader = { type, streamId: view.readUIntBE(1, 3), payloadLength: view.readUInt16BE(4), paddingLength: view.readUInt8(6) }
  checkFrameHeader(header, (message) => new FrameDecodeError(message, message.includes('size') ? ErrorCode.FRAME_SIZE_ERROR : ErrorCode.PROTOCOL_ERROR))
  return header
}

function checkFrameHeader (header: FrameHeader, fail: (message: string) => Error): void {
  if (!isFrameType(header.type)) throw fail(`frame: unknown type ${header.type}`)
  if (!Number.isInteger(header.streamId) || header.streamId < 0 || header.streamId > MAX_STREAM_ID) throw fail('frame: stream ID out of range')
  if (!Number.isInteger(header.payloadLength) || header.payloadLength < 0 || header.payloadLength > 0xffff) throw fail('frame: payload length out of range')
  if (!Number.isInteger(header.paddingLength) || header.paddingLength < 0 || header.paddingLength > 0xff) throw fail('frame: padding length out of range')
  if (FRAME_HEADER_BYTES + header.payloadLength + header.paddingLength > MAX_FRAME_BYTES) throw fail('frame: frame size exceeds the maximum')
  const rule = streamIdRule(header.type)
  if (rule === 'zero' && header.streamId !== 0) throw fail(`frame: type 0x${header.type.toString(16)} requires stream ID 0`)
  if (rule === 'nonzero' && header.streamId === 0) throw fail(`frame: type 0x${header.type.toString(16)} requires a non-zero stream ID`)
}
