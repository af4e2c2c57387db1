import { randomBytes } from '../../crypto/random.js'
import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES, MAX_STREAM_ID, MAX_WINDOW_BYTES } from '../sessionLimits.js'
import { ErrorCode, isErrorCode, type ErrorCodeValue } from './errorCode.js'
import { FrameDecodeError } from './frameDecodeError.js'
import { decodeFrameHeader, encodeFrameHeader } from './frameHeader.js'
import { FrameType } from './frameType.js'

export const PING_OPAQUE_BYTES = 8

/** A decoded frame, typed by its T§6.2 type (padding is not part of the value). */
export type Frame =
  | { type: typeof FrameType.DATA, streamId: number, data: Buffer }
  /** Phantom STREAM_OPEN: the target is a port on the receiver's own AP address (the session's peer), see docs. */
  | { type: typeof FrameType.STREAM_OPEN, streamId: number, port: number }
  /** errorCode null: "no more data from me" (half-close); a code: abort both directions. */
  | { type: typeof FrameType.STREAM_CLOSE, streamId: number, errorCode: ErrorCodeValue | null }
  /** streamId 0: connection window. */
  | { type: typeof FrameType.WINDOW_UPDATE, streamId: number, increment: number }
  | { type: typeof FrameType.PING, opaque: Buffer }
  | { type: typeof FrameType.PONG, opaque: Buffer }
  | { type: typeof FrameType.GOAWAY, lastStreamId: number, errorCode: ErrorCodeValue }
  /** The payload of a PADDING frame carries no meaning and is dropped. */
  | { type: typeof FrameType.PADDING, filler: number }
  | { type: typeof FrameType.DATAGRAM, packet: Buffer }

function frameStreamId (frame: Frame): number {
  return 'streamId' in frame ? frame.streamId : 0
}

/** The payload bytes of a frame (T§6.4 and the Phantom definitions). */
export function encodeFramePayload (frame: Frame): Buffer {
  switch (frame.type) {
    case FrameType.DATA: return frame.data
    case FrameType.STREAM_OPEN: {
      if (!Number.isInteger(frame.port) || frame.port < 1 || frame.port > 0xffff) throw new RangeError('STREAM_OPEN: port must be 1..65535')
      const out = Buffer.alloc(2); out.writeUInt16BE(frame.port); return out
    }
    case FrameType.STREAM_CLOSE: {
      if (frame.errorCode == null) return Buffer.alloc(0)
      const out = Buffer.alloc(4); out.writeUInt32BE(frame.errorCode); return out
    }
    case FrameType.WINDOW_UPDATE: {
      if (!Number.isInteger(frame.increment) || frame.increment < 1 || frame.increment > MAX_WINDOW_BYTES) throw new RangeError('WINDOW_UPDATE: increment must be 1..MAX_WINDOW_BYTES')
      const out = Buffer.alloc(4); out.writeUInt32BE(frame.increment); return out
    }
    case FrameType.PING:
    case FrameType.PONG:
      if (frame.opaque.byteLength !== PING_OPAQUE_BYTES) throw new RangeError('PING/PONG: opaque data must be 8 bytes')
      return frame.opaque
    case FrameType.GOAWAY: {
      if (!Number.isInteger(frame.lastStreamId) || frame.lastStreamId < 0 || frame.lastStreamId > MAX_STREAM_ID) throw new RangeError('GOAWAY: last stream ID out of range')
      const out = Buffer.alloc(8); out.writeUInt32BE(frame.lastStreamId, 0); out.writeUInt32BE(frame.errorCode, 4); return out
    }
    case FrameType.PADDING: return randomBytes(frame.filler)
    case FrameType.DATAGRAM:
      if (frame.packet.byteLength === 0) throw new RangeError('DATAGRAM: empty packet')
      return frame.packet
  }
}

/**
 * Encodes a frame with `paddingLength` padding bytes. Padding bytes are random
 * (T§9.2) unless `paddingBytes` is given (tests).
 */
export function encodeFrame (frame: Frame, paddingLength = 0, paddingBytes?: Uint8Array): Buffer {
  return encodeFrameWithRoom(frame, paddingLength, 0, 0, paddingBytes)
}

/**
 * encodeFrame's bytes at offset `before` of a new buffer with `after` more
 * bytes behind them (not initialised), so a record can be built around the
 * frame without another copy.
 */
export function encodeFrameWithRoom (frame: Frame, paddingLength: number, before: number, after: number, paddingBytes?: Uint8Array): Buffer {
  if (frame.type === FrameType.DATA && frame.data.byteLength === 0) throw new RangeError('DATA: empty payload')
  const payload = encodeFramePayload(frame)
  const total = FRAME_HEADER_BYTES + payload.byteLength + paddingLength
  if (total > MAX_FRAME_BYTES) throw new RangeError('frame too large')
  if (paddingBytes != null && paddingBytes.byteLength !== paddingLength) throw new RangeError('padding bytes do not match the padding length')
  const out = Buffer.allocUnsafe(before + total + after)
  const frameBytes = out.subarray(before, before + total)
  encodeFrameHeader({ type: frame.type, streamId: frameStreamId(frame), payloadLength: payload.byteLength, paddingLength }, frameBytes)
  frameBytes.set(payload, FRAME_HEADER_BYTES)
  const padding = frameBytes.subarray(FRAME_HEADER_BYTES + payload.byteLength)
  if (paddingBytes != null) padding.set(paddingBytes)
  else if (paddingLength > 0) padding.set(randomBytes(paddingLength))
  return out
}

function needLength (what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new FrameDecodeError(`${what}: payload must be ${expected} bytes, got ${actual}`, ErrorCode.FRAME_SIZE_ERROR)
}

function errorCodeOf (what: string, value: number): ErrorCodeValue {
  if (!isErrorCode(value)) throw new FrameDecodeError(`${what}: unknown error code ${value}`)
  return value
}

/**
 * Decodes exactly one frame from exactly these bytes (one record's plaintext).
 * Strict: unknown types, wrong stream IDs, wrong payload sizes, a length that
 * does not match the bytes present, trailing bytes — all throw FrameDecodeError.
 * Nothing is allocated from a claimed length: lengths are checked against the
 * bytes actually present first.
 */
export function decodeFrame (bytes: Uint8Array): Frame {
  if (bytes.byteLength > MAX_FRAME_BYTES) throw new FrameDecodeError('frame: larger than the maximum frame size', ErrorCode.FRAME_SIZE_ERROR)
  const header = decodeFrameHeader(bytes)
  const expected = FRAME_HEADER_BYTES + header.payloadLength + header.paddingLength
  if (bytes.byteLength !== expected) throw new FrameDecodeError(`frame: header announces ${expected} bytes, record holds ${bytes.byteLength}`, ErrorCode.FRAME_SIZE_ERROR)
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const payload = view.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + header.payloadLength)
  const { streamId } = header
  switch (header.type) {
    case FrameType.DATA:
      if (payload.byteLength === 0) throw new FrameDecodeError('DATA: empty payload', ErrorCode.FRAME_SIZE_ERROR)
      return { type: header.type, streamId, data: Buffer.from(payload) }
    case FrameType.STREAM_OPEN: {
      needLength('STREAM_OPEN', payload.byteLength, 2)
      const port = payload.readUInt16BE(0)
      if (port === 0) throw new FrameDecodeError('STREAM_OPEN: port 0')
      return { type: header.type, streamId, port }
    }
    case FrameType.STREAM_CLOSE:
      if (payload.byteLength === 0) return { type: header.type, streamId, errorCode: null }
      needLength('STREAM_CLOSE', payload.byteLength, 4)
      return { type: header.type, streamId, errorCode: errorCodeOf('STREAM_CLOSE', payload.readUInt32BE(0)) }
    case FrameType.WINDOW_UPDATE: {
      needLength('WINDOW_UPDATE', payload.byteLength, 4)
      const increment = payload.readUInt32BE(0)
      if (increment === 0 || increment > MAX_WINDOW_BYTES) throw new FrameDecodeError(`WINDOW_UPDATE: increment ${increment} out of range`, ErrorCode.FLOW_CONTROL_ERROR)
      return { type: header.type, streamId, increment }
    }
    case FrameType.PING:
    case FrameType.PONG:
      needLength('PING/PONG', payload.byteLength, PING_OPAQUE_BYTES)
      return { type: header.type, opaque: Buffer.from(payload) }
    case FrameType.GOAWAY: {
      needLength('GOAWAY', payload.byteLength, 8)
      const lastStreamId = payload.readUInt32BE(0)
      if (lastStreamId > MAX_STREAM_ID) throw new FrameDecodeError('GOAWAY: last stream ID out of range')
      return { type: header.type, lastStreamId, errorCode: errorCodeOf('GOAWAY', payload.readUInt32BE(4)) }
    }
    case FrameType.PADDING:
      return { type: header.type, filler: payload.byteLength }
    case FrameType.DATAGRAM:
      if (payload.byteLength === 0) throw new FrameDecodeError('DATAGRAM: empty packet', ErrorCode.FRAME_SIZE_ERROR)
      return { type: header.type, packet: Buffer.from(payload) }
  }
}
