import assert from 'node:assert/strict'
import { ErrorCode } from '../../src/session/frames/errorCode.js'
import { FrameType } from '../../src/session/frames/frameType.js'
import { MAX_QUEUED_BYTES, PEER_REKEY_GRACE_MS, PEER_STREAM_OPENS_BURST } from '../../src/session/sessionLimits.js'
import type { PhantomStream } from '../../src/session/streams/phantomStream.js'
import type { Session } from '../../src/session/streams/session.js'
import { SessionClosedError, StreamIdleError, StreamResetError } from '../../src/session/streams/streamErrors.js'
import { goawayCode, rawPeer, sessionPair, waitFor } from './sessionPair.js'

/** Lets the in-memory transport deliver what is queued (it delivers on setImmediate). */
const turn = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)); await new Promise(resolve => setImmediate(resolve)) }

const PINGS_PER_BATCH = 500
const PING_BATCHES = 100 // 50 000 PINGs: their PONGs (33 bytes each) are 1.6 MB, beyond MAX_QUEUED_BYTES

describe('session limits against an abusive peer (T§7.3, T§10.1 ENHANCE_YOUR_CALM, T§11.1, T§11.3)', () => {
  it('a peer that floods PINGs and does not read the PONGs gets GOAWAY(ENHANCE_YOUR_CALM), and what waits for it stays bounded', async function () {
    this.timeout(120_000)
    let hold = false
    const peer = await rawPeer({ duplex: { holdDelivery: (to) => to === 0 && hold } })
    const [, responderEnd] = peer.transports
    hold = true // the peer stops reading
    let pingsSent = 0
    let mostQueued = 0
    for (let batch = 0; batch < PING_BATCHES && !peer.session.isClosed; batch++) {
      for (let i = 0; i < PINGS_PER_BATCH; i++) peer.send({ type: FrameType.PING, opaque: Buffer.alloc(8, i) })
      pingsSent += PINGS_PER_BATCH
      await turn()
      mostQueued = Math.max(mostQueued, responderEnd.queuedBytes)
    }
    await waitFor(() => peer.session.isClosed, 'the session to end')
    const closeError = peer.closeError()
    assert.ok(closeError instanceof SessionClosedError && closeError.errorCode === ErrorCode.ENHANCE_YOUR_CALM, `closed with ${String(closeError)}`)
    assert.ok(pingsSent < PING_BATCHES * PINGS_PER_BATCH, 'ended before the flood was over')
    // never more than the bound, one PONG and the GOAWAY (33 bytes each)
    assert.ok(mostQueued <= MAX_QUEUED_BYTES + 66, `queued ${mostQueued} bytes for the peer`)
    hold = false
    await waitFor(() => goawayCode(peer.frames) != null, 'the peer to read the GOAWAY')
    assert.equal(goawayCode(peer.frames), ErrorCode.ENHANCE_YOUR_CALM)
    const pongs = peer.frames.filter(f => f.type === FrameType.PONG).length
    assert.ok(pongs > 0 && pongs < pingsSent, `${pongs} PONGs for ${pingsSent} PINGs`)
  })

  it('the same PINGs from a peer that reads its PONGs are all answered and the session stays open', async function () {
    this.timeout(120_000)
    const peer = await rawPeer()
    const pongs = (): number => peer.frames.filter(f => f.type === FrameType.PONG).length
    for (let batch = 0; batch < PING_BATCHES; batch++) {
      for (let i = 0; i < PINGS_PER_BATCH; i++) peer.send({ type: FrameType.PING, opaque: Buffer.alloc(8, i) })
      await waitFor(() => pongs() === (batch + 1) * PINGS_PER_BATCH, `the PONGs of batch ${batch}`)
    }
    assert.equal(peer.session.isClosed, false)
  })

  it('a peer that opens and resets streams faster than the rate gets GOAWAY(ENHANCE_YOUR_CALM) after the burst', async () => {
    const peer = await rawPeer()
    let accepted = 0
    peer.session.on('stream', (stream) => { accepted++; stream.on('error', () => {}) })
    let id = 1
    for (let i = 0; i < 2 * PEER_STREAM_OPENS_BURST && !peer.session.isClosed; i++) {
      peer.send({ type: FrameType.STREAM_OPEN, streamId: id, port: 80 })
      peer.send({ type: FrameType.STREAM_CLOSE, streamId: id, errorCode: ErrorCode.CANCEL })
      id += 2
      if (i % 32 === 31) await turn()
    }
    await waitFor(() => goawayCode(peer.frames) != null, 'GOAWAY')
    assert.equal(goawayCode(peer.frames), ErrorCode.ENHANCE_YOUR_CALM)
    assert.ok(peer.session.isClosed)
    // the burst, plus what the bucket refilled while the test ran
    assert.ok(accepted >= PEER_STREAM_OPENS_BURST && accepted < 2 * PEER_STREAM_OPENS_BURST, `${accepted} streams accepted`)
  })

  it('a peer that opens and resets streams within the rate keeps its session', async () => {
    let clock = Date.now()
    const peer = await rawPeer({ responder: { now: () => clock } })
    let accepted = 0
    peer.session.on('stream', (stream) => { accepted++; stream.on('error', () => {}) })
    let id = 1
    const opens = 4 * PEER_STREAM_OPENS_BURST
    for (let i = 0; i < opens; i++) {
      clock += 20 // 50 a second
      peer.send({ type: FrameType.STREAM_OPEN, streamId: id, port: 80 })
      peer.send({ type: FrameType.STREAM_CLOSE, streamId: id, errorCode: ErrorCode.CANCEL })
      id += 2
      if (i % 32 === 31) await turn()
    }
    await waitFor(() => accepted === opens, 'every stream to be accepted')
    assert.equal(peer.session.isClosed, false)
    assert.equal(goawayCode(peer.frames), undefined)
  })

  describe('the peer must rekey (T§11.1)', () => {
    const pings = (peer: Awaited<ReturnType<typeof rawPeer>>, count: number): void => {
      for (let i = 0; i < count; i++) peer.send({ type: FrameType.PING, opaque: Buffer.alloc(8, i) })
    }
    const pongs = (peer: Awaited<ReturnType<typeof rawPeer>>): number => peer.frames.filter(f => f.type === FrameType.PONG).length

    it('a peer that sends more records under one key than allowed gets GOAWAY(PROTOCOL_ERROR); one that rekeys in time does not', async () => {
      const lazy = await rawPeer({ responder: { record: { peerRekeyAfterMessages: 10 } }, record: { rekeyAfterMessages: 1000 } })
      pings(lazy, 10)
      await waitFor(() => pongs(lazy) === 10, 'ten PONGs')
      assert.equal(lazy.session.isClosed, false, 'ten records are allowed')
      pings(lazy, 1)
      await waitFor(() => goawayCode(lazy.frames) != null, 'GOAWAY')
      assert.equal(goawayCode(lazy.frames), ErrorCode.PROTOCOL_ERROR)
      assert.match(String(lazy.closeError()), /more than 10 records under one key/)

      const prompt = await rawPeer({ responder: { record: { peerRekeyAfterMessages: 10 } }, record: { rekeyAfterMessages: 10 } })
      pings(prompt, 100)
      await waitFor(() => pongs(prompt) === 100, 'a hundred PONGs')
      assert.equal(prompt.session.isClosed, false)
      assert.equal(prompt.session.rekeyCounts.received, 11)
    })

    it('a peer that keeps one key longer than allowed (plus the grace) gets GOAWAY(PROTOCOL_ERROR); one that rekeys in time does not', async () => {
      let clock = Date.now()
      const now = (): number => clock
      const lazy = await rawPeer({ responder: { now, record: { peerRekeyAfterMs: 60_000 } }, record: { now, rekeyAfterMs: 365 * 86_400_000 } })
      const prompt = await rawPeer({ responder: { now, record: { peerRekeyAfterMs: 60_000 } }, record: { now, rekeyAfterMs: 60_000 } })
      clock += 60_000 + PEER_REKEY_GRACE_MS // at the limit: still allowed
      pings(lazy, 1)
      pings(prompt, 1)
      await waitFor(() => pongs(lazy) === 1 && pongs(prompt) === 1, 'the first PONGs')
      clock += 1
      pings(lazy, 1)
      pings(prompt, 1)
      await waitFor(() => goawayCode(lazy.frames) != null, 'GOAWAY')
      assert.equal(goawayCode(lazy.frames), ErrorCode.PROTOCOL_ERROR)
      assert.match(String(lazy.closeError()), /kept one key for more than/)
      await waitFor(() => pongs(prompt) === 2, 'the prompt peer\'s second PONG')
      assert.equal(prompt.session.isClosed, false)
      assert.equal(prompt.session.rekeyCounts.received, 1)
    })
  })

  describe('idle streams (T§7.3)', () => {
    const sweep = (session: Session, timeoutMs: number): void => (session as unknown as { resetIdleStreams: (ms: number) => void }).resetIdleStreams(timeoutMs)

    it('a stream that carries DATA either way is kept; one idle for the timeout is reset with CANCEL at both ends', async () => {
      let clock = Date.now()
      const pair = await sessionPair({ responder: { now: () => clock, streamIdleTimeoutMs: 1000 } })
      const incoming: PhantomStream[] = []
      pair.responder.on('stream', (stream) => { incoming.push(stream); stream.on('data', () => {}) })
      const outgoing = pair.initiator.openStream(80)
      const outgoingError = new Promise<Error>(resolve => outgoing.on('error', resolve))
      outgoing.on('data', () => {})
      await waitFor(() => incoming.length === 1, 'the stream to arrive')
      const stream = incoming[0] as PhantomStream
      const incomingError = new Promise<Error>(resolve => stream.on('error', resolve))
      // 20 steps of 600 ms, DATA one way or the other in each: never 1000 ms without
      for (let step = 0; step < 20; step++) {
        clock += 600
        if (step % 2 === 0) outgoing.write(Buffer.from([step]))
        else stream.write(Buffer.from([step]))
        await waitFor(() => stream.lastDataAt === clock, `DATA of step ${step}`)
        sweep(pair.responder, 1000)
        assert.equal(stream.destroyed, false, `reset at step ${step}`)
      }
      clock += 999
      sweep(pair.responder, 1000)
      assert.equal(stream.destroyed, false, 'reset before the timeout')
      clock += 1
      sweep(pair.responder, 1000)
      const local = await incomingError
      assert.ok(local instanceof StreamIdleError && local.errorCode === ErrorCode.CANCEL, String(local))
      const remote = await outgoingError
      assert.ok(remote instanceof StreamResetError && remote.errorCode === ErrorCode.CANCEL && remote.by === 'remote', String(remote))
      assert.equal(pair.responder.isClosed, false, 'the session goes on')
      assert.equal(pair.responder.activeStreamCount, 0)
    })

    it('the session checks by itself: a stream left idle is reset a little after the timeout', async () => {
      const pair = await sessionPair({ responder: { streamIdleTimeoutMs: 100 } })
      pair.responder.on('stream', (stream) => { stream.on('error', () => {}) })
      const outgoing = pair.initiator.openStream(80)
      const reset = new Promise<Error>(resolve => outgoing.on('error', resolve))
      const error = await reset
      assert.ok(error instanceof StreamResetError && error.errorCode === ErrorCode.CANCEL)
    })

    it('0 turns the timeout off; a negative timeout is refused', async () => {
      const timers = (session: Session): number => (session as unknown as { timers: unknown[] }).timers.length
      const off = await sessionPair({ responder: { streamIdleTimeoutMs: 0 } })
      const on = await sessionPair({ responder: { streamIdleTimeoutMs: 100 } })
      assert.equal(timers(off.responder), 0)
      assert.equal(timers(on.responder), 1)
      await assert.rejects(sessionPair({ responder: { streamIdleTimeoutMs: -1 } }), RangeError)
    })
  })
})
