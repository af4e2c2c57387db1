import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeFrame, encodeFrame, encodeFrameWithRoom, type Frame } from '../../src/session/frames/frameCodec.js'
import { FrameDecodeError } from '../../src/session/frames/frameDecodeError.js'
import { FrameType } from '../../src/session/frames/frameType.js'
import { ErrorCode } from '../../src/session/frames/errorCode.js'
import { paddingLengthFor } from '../../src/session/frames/paddingStrategy.js'
import { MAX_FRAME_BYTES } from '../../src/session/sessionLimits.js'

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')

const streamId = fc.integer({ min: 1, max: 0xffffff })
const errorCode = fc.integer({ min: 0, max: 9 }) as fc.Arbitrary<Frame extends { errorCode: infer E } ? Exclude<E, null> : never>
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map(b => Buffer.from(b))
const arbitraryFrame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ type: fc.constant(FrameType.DATA), streamId, data: bytes(1, 300) }),
  fc.record({ type: fc.constant(FrameType.STREAM_OPEN), streamId, port: fc.integer({ min: 1, max: 0xffff }) }),
  fc.record({ type: fc.constant(FrameType.STREAM_CLOSE), streamId, errorCode: fc.option(errorCode) }),
  fc.record({ type: fc.constant(FrameType.WINDOW_UPDATE), streamId: fc.integer({ min: 0, max: 0xffffff }), increment: fc.integer({ min: 1, max: 16777215 }) }),
  fc.record({ type: fc.constant(FrameType.PING), opaque: bytes(8, 8) }),
  fc.record({ type: fc.constant(FrameType.PONG), opaque: bytes(8, 8) }),
  fc.record({ type: fc.constant(FrameType.GOAWAY), lastStreamId: fc.integer({ min: 0, max: 0xffffff }), errorCode }),
  fc.record({ type: fc.constant(FrameType.PADDING), filler: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ type: fc.constant(FrameType.DATAGRAM), packet: bytes(1, 300) })
).map(frame => ({ ...frame })) as fc.Arbitrary<Frame>

describe('session frames (T§6)', () => {
  it('test vector T§B.1: DATA, stream 42, "Hello", 3 padding bytes', () => {
    const padding = Buffer.from([0xa1, 0xb2, 0xc3])
    const encoded = encodeFrame({ type: FrameType.DATA, streamId: 42, data: Buffer.from('Hello') }, 3, padding)
    assert.deepEqual(encoded, Buffer.concat([h('00 00 00 2A 00 05 03 48 65 6C 6C 6F'), padding]))
    const random = encodeFrame({ type: FrameType.DATA, streamId: 42, data: Buffer.from('Hello') }, 3)
    assert.equal(random.byteLength, 15)
    assert.deepEqual(random.subarray(0, 12), h('00 00 00 2A 00 05 03 48 65 6C 6C 6F'))
    assert.deepEqual(decodeFrame(random), { type: FrameType.DATA, streamId: 42, data: Buffer.from('Hello') })
  })

  it('payload layouts: STREAM_OPEN port, WINDOW_UPDATE u32, PING 8 bytes, GOAWAY u32+u32, STREAM_CLOSE optional u32', () => {
    assert.deepEqual(encodeFrame({ type: FrameType.STREAM_OPEN, streamId: 1, port: 443 }), h('01 000001 0002 00 01BB'))
    assert.deepEqual(encodeFrame({ type: FrameType.WINDOW_UPDATE, streamId: 0, increment: 65536 }), h('03 000000 0004 00 00010000'))
    assert.deepEqual(encodeFrame({ type: FrameType.PING, opaque: h('0102030405060708') }), h('04 000000 0008 00 0102030405060708'))
    assert.deepEqual(encodeFrame({ type: FrameType.GOAWAY, lastStreamId: 7, errorCode: ErrorCode.PROTOCOL_ERROR }), h('06 000000 0008 00 00000007 00000001'))
    assert.deepEqual(encodeFrame({ type: FrameType.STREAM_CLOSE, streamId: 3, errorCode: null }), h('02 000003 0000 00'))
    assert.deepEqual(encodeFrame({ type: FrameType.STREAM_CLOSE, streamId: 3, errorCode: ErrorCode.CANCEL }), h('02 000003 0004 00 00000007'))
    assert.deepEqual(encodeFrame({ type: FrameType.DATAGRAM, packet: h('60') }), h('08 000000 0001 00 60'))
  })

  it('round-trips every frame type with any padding', () => {
    fc.assert(fc.property(arbitraryFrame, fc.integer({ min: 0, max: 255 }), (frame, padding) => {
      assert.deepEqual(decodeFrame(encodeFrame(frame, padding)), { ...frame })
    }), { numRuns: 500 })
  })

  const rejects = (hexBytes: string, code?: number): void => {
    assert.throws(() => decodeFrame(h(hexBytes)), (error: unknown) => error instanceof FrameDecodeError && (code == null || error.errorCode === code))
  }

  it('strict decoder rejects malformed frames', () => {
    rejects('09 000000 0000 00') // unknown type
    rejects('ff 000000 0000 00')
    rejects('00 000000 0001 00 41') // DATA on stream 0
    rejects('04 000001 0008 00 0102030405060708') // PING on a stream
    rejects('08 000001 0001 00 60') // DATAGRAM on a stream
    rejects('06 000001 0008 00 0000000000000000')
    rejects('07 000001 0000 00')
    rejects('01 000000 0002 00 01BB') // STREAM_OPEN on stream 0
    rejects('02 000000 0000 00')
    rejects('00 00002A 0005 03 48656C6C6F 0000', ErrorCode.FRAME_SIZE_ERROR) // truncated padding
    rejects('00 00002A 0005 00 48656C6C6F 00', ErrorCode.FRAME_SIZE_ERROR) // trailing byte
    rejects('00 00002A 0000 00', ErrorCode.FRAME_SIZE_ERROR) // empty DATA
    rejects('00 00002A', ErrorCode.FRAME_SIZE_ERROR) // truncated header
    rejects('01 000001 0003 00 01BB00', ErrorCode.FRAME_SIZE_ERROR)
    rejects('01 000001 0002 00 0000') // port 0
    rejects('03 000001 0004 00 00000000', ErrorCode.FLOW_CONTROL_ERROR) // zero increment
    rejects('03 000001 0004 00 01000000', ErrorCode.FLOW_CONTROL_ERROR) // above 16 MiB - 1
    rejects('04 000000 0007 00 01020304050607', ErrorCode.FRAME_SIZE_ERROR)
    rejects('06 000000 0008 00 01000000 00000000') // last stream ID > 2^24-1
    rejects('06 000000 0008 00 00000001 0000000a') // unknown error code
    rejects('02 000003 0004 00 00000010')
    rejects('02 000003 0002 00 0000', ErrorCode.FRAME_SIZE_ERROR)
    rejects('08 000000 0000 00', ErrorCode.FRAME_SIZE_ERROR) // empty DATAGRAM
  })

  it('refuses input larger than the maximum frame size without reading it', () => {
    const big = Buffer.alloc(MAX_FRAME_BYTES + 1)
    assert.throws(() => decodeFrame(big), FrameDecodeError)
    // the largest possible frame (payload 65528, no padding) decodes
    const max = Buffer.alloc(MAX_FRAME_BYTES, 0x55); max.writeUInt32BE(0x00000001, 0); max.writeUInt16BE(MAX_FRAME_BYTES - 7, 4); max[6] = 0
    assert.equal((decodeFrame(max) as { data: Buffer }).data.byteLength, MAX_FRAME_BYTES - 7)
    // a header claiming more than fits is refused
    const over = Buffer.from(max); over[6] = 1
    assert.throws(() => decodeFrame(Buffer.concat([over, Buffer.alloc(1)])), FrameDecodeError)
  })

  it('fuzz: random bytes never crash the decoder (only FrameDecodeError)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (input) => {
      try { decodeFrame(input) } catch (error) { assert.ok(error instanceof FrameDecodeError, String(error)) }
    }), { numRuns: 3000 })
  })

  it('fuzz: mutated valid frames decode to a valid frame or throw FrameDecodeError', () => {
    fc.assert(fc.property(arbitraryFrame, fc.integer({ min: 0, max: 40 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.integer({ min: -3, max: 3 }), (frame, padding, edits, resize) => {
      const encoded = encodeFrame(frame, padding)
      for (const [position, value] of edits) encoded[position % encoded.byteLength] = value
      const mutated = resize >= 0 ? Buffer.concat([encoded, Buffer.alloc(resize)]) : encoded.subarray(0, Math.max(0, encoded.byteLength + resize))
      try {
        const decoded = decodeFrame(mutated)
        assert.deepEqual(decodeFrame(encodeFrame(decoded, 0)), decoded)
      } catch (error) { assert.ok(error instanceof FrameDecodeError, String(error)) }
    }), { numRuns: 2000 })
  })
})

describe('padding strategies (T§9)', () => {
  it('NONE adds nothing; BLOCK pads to the block; POWER_OF_TWO to the next power of two; minimum frame size 64', () => {
    assert.equal(paddingLengthFor(12, { strategy: 'NONE' }), 0)
    assert.equal(12 + paddingLengthFor(12, { strategy: 'BLOCK' }), 64)
    assert.equal(100 + paddingLengthFor(100, { strategy: 'BLOCK' }), 128)
    assert.equal(100 + paddingLengthFor(100, { strategy: 'POWER_OF_TWO' }), 128)
    assert.equal(12 + paddingLengthFor(12, { strategy: 'POWER_OF_TWO' }), 64)
    assert.equal(200 + paddingLengthFor(200, { strategy: 'BLOCK', blockBytes: 100, minFrameBytes: 0 }), 200)
  })
  it('every strategy stays within 0..255 and within the maximum frame size', () => {
    fc.assert(fc.property(fc.integer({ min: 7, max: MAX_FRAME_BYTES }), fc.constantFrom('NONE', 'BLOCK', 'RANDOM', 'POWER_OF_TWO' as const), (size, strategy) => {
      const padding = paddingLengthFor(size, { strategy })
      assert.ok(padding >= 0 && padding <= 255 && size + padding <= MAX_FRAME_BYTES)
    }), { numRuns: 2000 })
  })
})

describe('frames encoded with room around them (for records built in place)', () => {
  it('hold exactly encodeFrame\'s bytes at the offset, with the room asked for', () => {
    fc.assert(fc.property(arbitraryFrame.filter((f) => f.type !== FrameType.PADDING), fc.integer({ min: 0, max: 255 }), fc.nat(20), fc.nat(20), (frame, paddingLength, before, after) => {
      const padding = Buffer.alloc(paddingLength, 0x5a)
      const expected = encodeFrame(frame, paddingLength, padding)
      const out = encodeFrameWithRoom(frame, paddingLength, before, after, padding)
      assert.equal(out.byteLength, before + expected.byteLength + after)
      assert.deepEqual(out.subarray(before, before + expected.byteLength), expected)
    }), { numRuns: 500 })
  })

  it('refuses what encodeFrame refuses', () => {
    assert.throws(() => encodeFrameWithRoom({ type: FrameType.DATA, streamId: 1, data: Buffer.alloc(0) }, 0, 2, 16), RangeError)
    assert.throws(() => encodeFrameWithRoom({ type: FrameType.DATA, streamId: 1, data: Buffer.alloc(1) }, 3, 2, 16, Buffer.alloc(2)), RangeError)
  })
})
