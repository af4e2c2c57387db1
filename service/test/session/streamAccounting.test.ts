import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { randomBytes } from '../../src/crypto/random.js'
import { ReceiveWindow } from '../../src/session/streams/receiveWindow.js'
import { canReceive, canSend, nextStreamState, type StreamEvent, type StreamState } from '../../src/session/streams/streamState.js'
import type { PhantomStream } from '../../src/session/streams/phantomStream.js'
import { readAll, sessionPair, waitFor } from './sessionPair.js'

describe('stream state machine (T§7.2)', () => {
  it('follows OPEN → HALF_CLOSED(local|remote) → CLOSED; reset closes from anywhere; nothing leaves CLOSED', () => {
    assert.equal(nextStreamState('open', 'sendEnd'), 'halfClosedLocal')
    assert.equal(nextStreamState('open', 'receiveEnd'), 'halfClosedRemote')
    assert.equal(nextStreamState('halfClosedLocal', 'receiveEnd'), 'closed')
    assert.equal(nextStreamState('halfClosedRemote', 'sendEnd'), 'closed')
    assert.equal(nextStreamState('halfClosedLocal', 'sendEnd'), null)
    assert.equal(nextStreamState('halfClosedRemote', 'receiveEnd'), null)
    assert.equal(nextStreamState('closed', 'sendEnd'), null)
    for (const state of ['open', 'halfClosedLocal', 'halfClosedRemote', 'closed'] as StreamState[]) assert.equal(nextStreamState(state, 'reset'), 'closed')
    assert.deepEqual([canSend('open'), canSend('halfClosedLocal'), canSend('halfClosedRemote'), canSend('closed')], [true, false, true, false])
    assert.deepEqual([canReceive('open'), canReceive('halfClosedLocal'), canReceive('halfClosedRemote'), canReceive('closed')], [true, true, false, false])
  })
  it('any event sequence ends in a state reachable by the rules', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom<StreamEvent>('sendEnd', 'receiveEnd', 'reset'), { maxLength: 10 }), (events) => {
      let state: StreamState = 'open'
      let sentEnd = false
      let receivedEnd = false
      for (const event of events) {
        const next = nextStreamState(state, event)
        if (next == null) continue
        if (event === 'sendEnd') { assert.equal(sentEnd, false); sentEnd = true }
        if (event === 'receiveEnd') { assert.equal(receivedEnd, false); receivedEnd = true }
        state = next
      }
      if (sentEnd && receivedEnd) assert.equal(state, 'closed')
    }))
  })
})

describe('receive window (T§8)', () => {
  it('refuses bytes above the credit and sends an update only once the credit falls below 50 %', () => {
    const window = new ReceiveWindow(1000, 1000)
    assert.equal(window.receive(400), true)
    assert.equal(window.consume(400), 0) // 600 left: above half
    assert.equal(window.receive(200), true)
    assert.equal(window.consume(200), 600) // 400 left: below half → return all consumed
    assert.equal(window.available, 1000)
    assert.equal(window.receive(1001), false)
  })
  it('never grants more than the target, whatever the sequence', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 60 }), (sizes) => {
      const window = new ReceiveWindow(1000, 1000)
      let unconsumed = 0
      for (const size of sizes) {
        if (window.receive(size)) unconsumed += size
        const part = Math.ceil(unconsumed / 2)
        window.consume(part)
        unconsumed -= part
        assert.ok(window.available + unconsumed <= 1000)
        assert.ok(window.available >= 0)
      }
    }))
  })
  it('raiseToTarget grants the difference once', () => {
    const window = new ReceiveWindow(4000, 1000)
    assert.equal(window.raiseToTarget(), 3000)
    assert.equal(window.raiseToTarget(), 0)
  })
})

describe('session under random traffic', () => {
  it('random writes, random pauses of the reader, small windows: all data arrives and no flow-control violation ends the session', async function () {
    this.timeout(120_000)
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 4 }),
      async (writes, pauses, streamCount) => {
        const { initiator, responder } = await sessionPair({ initiator: { maxDataPayloadBytes: 5000 }, responder: { streamHighWaterMark: 1024 } })
        const received = new Map<number, Buffer>()
        responder.on('stream', (stream: PhantomStream) => {
          const chunks: Buffer[] = []
          let turn = 0
          stream.on('data', (chunk: Buffer) => {
            chunks.push(chunk)
            if (pauses[turn++ % pauses.length] === true) { stream.pause(); setImmediate(() => stream.resume()) }
          })
          stream.on('end', () => { received.set(stream.id, Buffer.concat(chunks)); stream.end() })
        })
        const expected = new Map<number, string>()
        const finished: Array<Promise<Buffer>> = []
        for (let s = 0; s < streamCount; s++) {
          const stream = initiator.openStream(1000 + s)
          const all = writes.map(size => randomBytes(size))
          expected.set(stream.id, createHash('sha256').update(Buffer.concat(all)).digest('hex'))
          for (const chunk of all) stream.write(chunk)
          stream.end()
          finished.push(readAll(stream))
        }
        await Promise.all(finished)
        await waitFor(() => received.size === streamCount, 'all streams received')
        for (const [id, digest] of expected) assert.equal(createHash('sha256').update(received.get(id) as Buffer).digest('hex'), digest)
        assert.equal(initiator.isClosed || responder.isClosed, false)
        initiator.close()
      }), { numRuns: 12 })
  })
})
