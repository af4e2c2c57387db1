import assert from 'node:assert/strict'
import { ed25519Generate } from '../../src/crypto/signing.js'
import { x25519Generate } from '../../src/crypto/keyAgreement.js'
import { randomBytes } from '../../src/crypto/random.js'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { acceptSession, connectSession, HandshakeFailedError } from '../../src/session/establishSession.js'
import { ErrorCode } from '../../src/session/frames/errorCode.js'
import type { Frame } from '../../src/session/frames/frameCodec.js'
import { FrameType } from '../../src/session/frames/frameType.js'
import { ReplayCache } from '../../src/session/handshake/replayCache.js'
import { HANDSHAKE_MESSAGE1_BYTES, HANDSHAKE_MESSAGE2_BYTES, InitiatorHandshake } from '../../src/session/handshake/sessionHandshake.js'
import type { Session } from '../../src/session/streams/session.js'
import { SessionClosedError } from '../../src/session/streams/streamErrors.js'
import { createMemoryDuplexPair } from '../../src/session/transport/memoryDuplexPair.js'
import { RecordAuthenticationError } from '../../src/session/transport/recordOpener.js'
import { goawayCode, rawPeer, sessionPair, waitFor } from './sessionPair.js'

describe('session security: tampering, replay, protocol violations', () => {
  it('flipping any single byte of the encrypted stream ends the session and no altered byte is delivered', async function () {
    this.timeout(120_000)
    const data = randomBytes(120_000)
    const positions = [0, 1, 2, 3, 10, 17, 18, 19, 30, 40, 60, 80, 100, 150, 200, 300, 1000, 5000, 16_400, 16_420, 40_000, 70_000, 100_000, 119_000]
    for (const direction of [0, 1] as const) {
      for (const position of positions) {
        let seen = 0
        let handshakeBytes = direction === 0 ? HANDSHAKE_MESSAGE1_BYTES : HANDSHAKE_MESSAGE2_BYTES
        const pair = await sessionPair({
          initiator: { idlePaddingIntervalMs: 1 },
          responder: { idlePaddingIntervalMs: 1 },
          duplex: {
            tap: (chunk, from) => {
              if (from !== direction) return chunk
              const skip = Math.min(handshakeBytes, chunk.byteLength)
              handshakeBytes -= skip
              const start = seen
              seen += chunk.byteLength - skip
              const at = position - start + skip
              if (at >= skip && at < chunk.byteLength) chunk[at] = (chunk[at] as number) ^ (1 << (position % 8))
              return chunk
            }
          }
        })
        const [sender, receiver]: Session[] = direction === 0 ? [pair.initiator, pair.responder] : [pair.responder, pair.initiator]
        const delivered: Buffer[] = []
        let streamError = null as Error | null
        let cleanEnd = false as boolean
        receiver.on('stream', (stream) => {
          stream.on('data', (chunk: Buffer) => delivered.push(chunk))
          stream.on('end', () => { cleanEnd = true })
          stream.on('error', (error) => { streamError = error })
        })
        sender.on('close', () => {})
        const stream = sender.openStream(443).on('error', () => {})
        stream.write(data.subarray(0, 50_000))
        stream.write(data.subarray(50_000))
        await waitFor(() => receiver.isClosed, `session to end after flipping byte ${position} (direction ${direction})`)
        const got = Buffer.concat(delivered)
        assert.ok(got.equals(data.subarray(0, got.byteLength)), `altered bytes delivered (position ${position})`)
        assert.ok(receiver.closeError instanceof RecordAuthenticationError, `close reason ${String(receiver.closeError)} at ${position} direction ${direction}`)
        assert.equal(cleanEnd, false)
        if (delivered.length > 0 || streamError != null) assert.ok(streamError instanceof SessionClosedError || streamError instanceof RecordAuthenticationError)
        await waitFor(() => sender.isClosed, 'the sender to see the transport close')
      }
    }
  })

  async function responderUnderTest (options: { now?: () => number, cache?: ReplayCache } = {}) {
    const [a, b] = createMemoryDuplexPair()
    const e2e = x25519Generate()
    const accepted = acceptSession(b, { e2eKeyPair: e2e, replayCache: options.cache ?? new ReplayCache(), handshakeTimeoutMs: 60_000, ...(options.now ? { now: options.now } : {}) })
    accepted.catch(() => {})
    const answered: Buffer[] = []
    a.onData((bytes) => answered.push(Buffer.from(bytes)))
    return { a, e2e, accepted, answered }
  }

  it('a replayed first message is refused silently (reason "replay", no byte answered)', async () => {
    const cache = new ReplayCache()
    const first = await responderUnderTest({ cache })
    const handshake = new InitiatorHandshake({ e2eKeyPair: x25519Generate(), routingKeyPair: ed25519Generate(), responderE2ePublicKey: first.e2e.publicKey, responderApAddress: deriveApAddress(ed25519Generate().publicKey) })
    const message1 = handshake.firstMessage()
    first.a.send(message1)
    const session = await first.accepted
    await waitFor(() => first.answered.length > 0, 'the genuine handshake to be answered')
    const [a2, b2] = createMemoryDuplexPair()
    const answered: Buffer[] = []
    a2.onData((bytes) => answered.push(Buffer.from(bytes)))
    const replay = acceptSession(b2, { e2eKeyPair: first.e2e, replayCache: cache, handshakeTimeoutMs: 60_000 })
    a2.send(message1)
    await assert.rejects(replay, (error: unknown) => error instanceof HandshakeFailedError && error.reason === 'replay')
    // the genuine session is unaffected
    for (let i = 0; i < 50; i++) await new Promise(resolve => setImmediate(resolve))
    assert.equal(answered.length, 0)
    session.close()
    a2.close()
  })

  it('an initiator whose clock is off by more than 5 minutes is refused silently', async () => {
    const responderE2e = x25519Generate()
    for (const skew of [-6 * 60_000, 6 * 60_000]) {
      let answered = 0
      const [a, b] = createMemoryDuplexPair({ tap: (chunk, from) => { if (from === 1) answered += chunk.byteLength; return chunk } })
      const accepted = acceptSession(b, { e2eKeyPair: responderE2e, replayCache: new ReplayCache(), handshakeTimeoutMs: 60_000 })
      const connecting = connectSession(a, { e2eKeyPair: x25519Generate(), routingKeyPair: ed25519Generate(), responderE2ePublicKey: responderE2e.publicKey, responderApAddress: Buffer.alloc(16), now: () => Date.now() + skew, handshakeTimeoutMs: 200 })
      await assert.rejects(accepted, (error: unknown) => error instanceof HandshakeFailedError && error.reason === 'timestamp-out-of-window')
      await assert.rejects(connecting, (error: unknown) => error instanceof HandshakeFailedError && error.reason === 'timeout')
      assert.equal(answered, 0)
    }
  })

  it('a peer that sends beyond the stream window gets GOAWAY FLOW_CONTROL_ERROR', async () => {
    const peer = await rawPeer()
    peer.session.on('stream', (stream) => { stream.on('error', () => {}) }) // accepts but never reads
    peer.send({ type: FrameType.STREAM_OPEN, streamId: 1, port: 80 })
    const chunk = Buffer.alloc(16_384)
    for (let sent = 0; sent <= 256 * 1024; sent += chunk.byteLength) peer.send({ type: FrameType.DATA, streamId: 1, data: chunk })
    await waitFor(() => peer.session.isClosed, 'the session to end')
    await waitFor(() => goawayCode(peer.frames) != null, 'GOAWAY')
    assert.equal(goawayCode(peer.frames), ErrorCode.FLOW_CONTROL_ERROR)
    assert.equal((peer.closeError() as SessionClosedError).errorCode, ErrorCode.FLOW_CONTROL_ERROR)
  })

  it('protocol violations end the session with GOAWAY PROTOCOL_ERROR', async () => {
    const violations: Frame[][] = [
      [{ type: FrameType.DATA, streamId: 1, data: Buffer.from('x') }], // never opened
      [{ type: FrameType.STREAM_OPEN, streamId: 2, port: 80 }], // responder's parity
      [{ type: FrameType.STREAM_OPEN, streamId: 5, port: 80 }, { type: FrameType.STREAM_OPEN, streamId: 3, port: 80 }], // IDs must grow
      [{ type: FrameType.WINDOW_UPDATE, streamId: 9, increment: 1 }],
      [{ type: FrameType.WINDOW_UPDATE, streamId: 0, increment: 16_777_215 }] // connection window above the maximum
    ]
    const expected = [ErrorCode.PROTOCOL_ERROR, ErrorCode.PROTOCOL_ERROR, ErrorCode.PROTOCOL_ERROR, ErrorCode.PROTOCOL_ERROR, ErrorCode.FLOW_CONTROL_ERROR]
    for (const [index, frames] of violations.entries()) {
      const peer = await rawPeer()
      peer.session.on('stream', (stream) => { stream.on('error', () => {}) })
      for (const frame of frames) peer.send(frame)
      await waitFor(() => goawayCode(peer.frames) != null, `GOAWAY for violation ${index}`)
      assert.equal(goawayCode(peer.frames), expected[index], `violation ${index}`)
      assert.ok(peer.session.isClosed)
    }
  })

  it('an authenticated but malformed frame ends the session with GOAWAY FRAME_SIZE_ERROR', async () => {
    const peer = await rawPeer()
    peer.sendRaw(Buffer.from('04000000000700' + '01020304050607', 'hex')) // PING with 7 bytes
    await waitFor(() => goawayCode(peer.frames) != null, 'GOAWAY')
    assert.equal(goawayCode(peer.frames), ErrorCode.FRAME_SIZE_ERROR)
    assert.ok(peer.session.isClosed)
  })
})
