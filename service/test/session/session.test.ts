import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { Writable } from 'node:stream'
import { randomBytes } from '../../src/crypto/random.js'
import { ErrorCode } from '../../src/session/frames/errorCode.js'
import type { PhantomStream } from '../../src/session/streams/phantomStream.js'
import { StreamResetError } from '../../src/session/streams/streamErrors.js'
import { INITIAL_WINDOW_BYTES, MAX_QUEUED_BYTES_FOR_DATAGRAMS, MAX_QUEUED_BYTES_FOR_STREAMS } from '../../src/session/sessionLimits.js'
import type { ByteDuplex } from '../../src/session/transport/byteDuplex.js'
import { readAll, sessionPair, waitFor } from './sessionPair.js'
import { FrameType, type FrameTypeValue } from '../../src/session/frames/frameType.js'
import type { Session } from '../../src/session/streams/session.js'

/** Counts the frames of one type a session sends (a spy on its private sendFrame). */
function countFrames (session: Session, type: FrameTypeValue): { count: number } {
  const counter = { count: 0 }
  const spied = session as unknown as { sendFrame: (frame: { type: FrameTypeValue }) => unknown }
  const send = spied.sendFrame.bind(session)
  spied.sendFrame = (frame) => { if (frame.type === type) counter.count++; return send(frame) }
  return counter
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

describe('session: streams, flow control, control frames', () => {
  it('authenticates the initiator AP address and round-trips a stream in both directions with half-close', async () => {
    const { initiator, responder, initiatorAp, responderAp } = await sessionPair()
    assert.deepEqual(responder.peer.apAddress, initiatorAp)
    assert.deepEqual(initiator.peer.apAddress, responderAp)
    assert.deepEqual(initiator.handshakeHash, responder.handshakeHash)
    responder.on('stream', (stream) => {
      assert.equal(stream.port, 8080)
      assert.equal(stream.id % 2, 1)
      void readAll(stream).then((request) => { stream.end(Buffer.concat([Buffer.from('echo:'), request])) })
    })
    const stream = initiator.openStream(8080)
    assert.equal(stream.id, 1)
    stream.end('ping over phantom')
    assert.equal((await readAll(stream)).toString(), 'echo:ping over phantom')
    await waitFor(() => initiator.activeStreamCount === 0 && responder.activeStreamCount === 0, 'both streams closed')
    initiator.close()
    await once(responder, 'close')
  })

  it('the responder opens even-numbered streams', async () => {
    const { initiator, responder } = await sessionPair()
    const got = new Promise<PhantomStream>(resolve => initiator.on('stream', resolve))
    const stream = responder.openStream(22)
    assert.equal(stream.id, 2)
    stream.end('from responder')
    const incoming = await got
    assert.equal((await readAll(incoming)).toString(), 'from responder')
    incoming.end()
    await readAll(stream)
    await waitFor(() => initiator.activeStreamCount === 0 && responder.activeStreamCount === 0, 'both streams closed')
    initiator.close()
  })

  it('10 MB through one stream, in both directions at once, with arbitrary chunking of the byte stream', async function () {
    this.timeout(120_000)
    const { initiator, responder } = await sessionPair({ duplex: { chunkSizes: () => 1 + Math.floor(Math.random() * 70_000) } })
    const upload = randomBytes(10 * 1024 * 1024)
    const download = randomBytes(3 * 1024 * 1024)
    const serverGot = new Promise<Buffer>(resolve => responder.on('stream', (stream) => {
      stream.end(download)
      void readAll(stream).then(resolve)
    }))
    const stream = initiator.openStream(1)
    stream.end(upload)
    const [received, echoed] = await Promise.all([serverGot, readAll(stream)])
    assert.equal(sha(received), sha(upload))
    assert.equal(sha(echoed), sha(download))
    initiator.close()
  })

  it('many concurrent streams each deliver their own data', async function () {
    this.timeout(60_000)
    const { initiator, responder } = await sessionPair()
    responder.on('stream', (stream) => { void readAll(stream).then(data => stream.end(Buffer.from(sha(data)))) })
    const payloads = Array.from({ length: 64 }, (_, i) => randomBytes(20_000 + i * 1_000))
    const results = await Promise.all(payloads.map(async (payload) => {
      const stream = initiator.openStream(80)
      stream.write(payload.subarray(0, 7000))
      stream.end(payload.subarray(7000))
      return (await readAll(stream)).toString()
    }))
    assert.deepEqual(results, payloads.map(sha))
    initiator.close()
  })

  it('streams blocked on the connection window resume when it opens (connection window = one stream window)', async function () {
    this.timeout(60_000)
    const { initiator, responder } = await sessionPair({ responder: { connectionWindowBytes: INITIAL_WINDOW_BYTES } })
    responder.on('stream', (stream) => { stream.on('error', () => {}); void readAll(stream).then(data => stream.end(sha(data))) })
    const payloads = Array.from({ length: 8 }, () => randomBytes(300_000))
    const digests = await Promise.all(payloads.map(async (payload) => {
      const stream = initiator.openStream(3).on('error', () => {})
      stream.end(payload)
      return (await readAll(stream)).toString()
    }))
    assert.deepEqual(digests, payloads.map(sha))
    initiator.close()
  })

  it('a slow reader stops the sender through the window; nothing beyond the window is buffered', async function () {
    this.timeout(60_000)
    const { initiator, responder } = await sessionPair({ responder: { streamHighWaterMark: 16 * 1024 } })
    let incoming: PhantomStream | null = null
    responder.on('stream', (stream) => { incoming = stream; stream.on('error', () => {}) })
    const stream = initiator.openStream(9).on('error', () => {})
    const total = 2 * 1024 * 1024
    let written = 0
    let callbacks = 0
    const data = randomBytes(total)
    for (let offset = 0; offset < total; offset += 32 * 1024) {
      stream.write(data.subarray(offset, offset + 32 * 1024), () => { callbacks++; written += 32 * 1024 })
    }
    await waitFor(() => incoming != null && (incoming as PhantomStream).queuedInboundBytes >= INITIAL_WINDOW_BYTES, 'the receiver to hold a full window')
    // Nobody reads: the sender must stop at the window. Let the event loop run a while (no fixed sleep: poll many turns).
    for (let i = 0; i < 200; i++) await new Promise(resolve => setImmediate(resolve))
    const receiver = incoming as unknown as PhantomStream
    assert.equal(receiver.queuedInboundBytes + receiver.readableLength, INITIAL_WINDOW_BYTES)
    assert.ok(written <= INITIAL_WINDOW_BYTES, `sender completed ${written} bytes while the reader read nothing`)
    assert.equal(responder.isClosed, false)
    // Now read everything: all of it arrives intact.
    stream.end()
    const received = await readAll(receiver)
    assert.equal(sha(received), sha(data))
    assert.ok(callbacks > 0)
    initiator.close()
  })

  it('back-pressure through pipe() into a slow writable and through async iteration, with a small window', async function () {
    this.timeout(60_000)
    const { initiator, responder } = await sessionPair({ responder: { streamHighWaterMark: 4096 } })
    const data = randomBytes(3 * 1024 * 1024)
    const viaPipe = new Promise<Buffer>(resolve => responder.once('stream', (stream) => {
      stream.on('error', () => {})
      const chunks: Buffer[] = []
      const slow = new Writable({
        highWaterMark: 8192,
        write (chunk: Buffer, _encoding, callback) { chunks.push(chunk); setImmediate(callback) }
      })
      slow.on('finish', () => resolve(Buffer.concat(chunks)))
      stream.pipe(slow)
    }))
    const first = initiator.openStream(1)
    first.end(data)
    assert.equal(sha(await viaPipe), sha(data))
    const viaIteration = new Promise<Buffer>(resolve => responder.once('stream', (stream) => {
      stream.on('error', () => {})
      void (async () => {
        const chunks: Buffer[] = []
        for await (const chunk of stream) chunks.push(chunk as Buffer)
        resolve(Buffer.concat(chunks))
      })()
    }))
    const second = initiator.openStream(2)
    second.end(data)
    assert.equal(sha(await viaIteration), sha(data))
    first.on('error', () => {}); second.on('error', () => {})
    initiator.close()
  })

  it('refuses streams above MAX_CONCURRENT_STREAMS with REFUSED_STREAM', async () => {
    const { initiator, responder } = await sessionPair({ responder: { maxConcurrentStreams: 2 } })
    responder.on('stream', (stream) => { stream.on('error', () => {}) })
    const s1 = initiator.openStream(1).on('error', () => {})
    const s2 = initiator.openStream(1).on('error', () => {})
    const s3 = initiator.openStream(1)
    const [error] = await once(s3, 'error') as [StreamResetError]
    assert.ok(error instanceof StreamResetError)
    assert.equal(error.errorCode, ErrorCode.REFUSED_STREAM)
    assert.equal(s1.destroyed || s2.destroyed, false)
    initiator.close()
  })

  it('refuses streams when nobody listens for them', async () => {
    const { initiator } = await sessionPair()
    const stream = initiator.openStream(5)
    const [error] = await once(stream, 'error') as [StreamResetError]
    assert.equal(error.errorCode, ErrorCode.REFUSED_STREAM)
    initiator.close()
  })

  it('a stream reset reaches the peer with its error code and leaves other streams alone', async () => {
    const { initiator, responder } = await sessionPair()
    const incoming: PhantomStream[] = []
    responder.on('stream', (stream) => { incoming.push(stream); stream.on('error', () => {}) })
    const a = initiator.openStream(1).on('error', () => {})
    const b = initiator.openStream(1).on('error', () => {})
    a.write('x'); b.write('y')
    await waitFor(() => incoming.length === 2, 'two streams')
    const gotReset = new Promise(resolve => (incoming[0] as PhantomStream).on('close', resolve))
    a.reset(ErrorCode.CONNECT_ERROR)
    await gotReset
    assert.equal((incoming[0] as PhantomStream).errored instanceof StreamResetError, true)
    assert.equal(((incoming[0] as PhantomStream).errored as StreamResetError).errorCode, ErrorCode.CONNECT_ERROR)
    b.end('still fine')
    assert.equal((await readAll(incoming[1] as PhantomStream)).toString(), 'ystill fine')
    initiator.close()
  })

  it('drops DATAGRAMs instead of queueing them while the transport holds more than its bound, and carries them again once it drained', async () => {
    const { initiator, responder } = await sessionPair()
    const delivered: Buffer[] = []
    responder.on('datagram', (packet: Buffer) => delivered.push(packet))
    // the memory transport delivers on the next turn of the event loop, so a burst queues in it
    const packet = randomBytes(60_000)
    const accepted: boolean[] = []
    for (let i = 0; i < 40; i++) accepted.push(initiator.sendDatagram(packet))
    const sent = accepted.filter((a) => a).length
    // accepted while at most the bound was queued: the first ones, then none
    assert.equal(sent, Math.floor(MAX_QUEUED_BYTES_FOR_DATAGRAMS / (60_000 + 7 + 18)) + 1)
    assert.deepEqual(accepted, accepted.map((_, i) => i < sent))
    assert.equal(initiator.datagramsDropped, 40 - sent)
    await waitFor(() => delivered.length === sent, 'the accepted datagrams')
    assert.ok(delivered.every((d) => d.equals(packet)))
    // drained: carried again; streams are flow-controlled and never dropped
    assert.equal(initiator.sendDatagram(packet), true)
    await waitFor(() => delivered.length === sent + 1, 'the datagram after the queue drained')
    initiator.close()
  })

  it('holds stream data back while the transport holds MAX_QUEUED_BYTES_FOR_STREAMS, and sends all of it as the transport drains', async function () {
    this.timeout(60_000)
    const windows = { streamWindowBytes: 16 * 1024 * 1024 - 1, connectionWindowBytes: 16 * 1024 * 1024 - 1, maxDataPayloadBytes: 60 * 1024 }
    let sender: ByteDuplex | null = null
    let largestQueue = 0
    const { initiator, responder, transports } = await sessionPair({
      initiator: windows,
      responder: windows,
      // what the initiator's transport holds each time a record is handed to it
      duplex: { tap: (chunk, from) => { if (from === 0 && sender != null) largestQueue = Math.max(largestQueue, sender.queuedBytes + chunk.byteLength); return chunk } }
    })
    sender = transports[0]
    const incoming = new Promise<PhantomStream>(resolve => responder.on('stream', resolve))
    const stream = initiator.openStream(9)
    stream.write('hello')
    const inbound = await incoming
    const received = readAll(inbound)
    const upload = randomBytes(12 * 1024 * 1024)
    await waitFor(() => stream.sendWindow > upload.byteLength, 'the responder raising the stream window')
    stream.end(upload)
    // the whole upload fits the windows; the queue bound alone holds it back
    assert.ok(sender.queuedBytes >= MAX_QUEUED_BYTES_FOR_STREAMS && sender.queuedBytes < MAX_QUEUED_BYTES_FOR_STREAMS + 61 * 1024, `queued ${sender.queuedBytes}`)
    const got = await received
    assert.equal(sha(got), sha(Buffer.concat([Buffer.from('hello'), upload])))
    assert.ok(largestQueue < MAX_QUEUED_BYTES_FOR_STREAMS + 61 * 1024, `largest queue ${largestQueue}`)
    inbound.end()
    await readAll(stream)
    initiator.close()
  })

  it('PING/PONG, keep-alive, DATAGRAM and GOAWAY', async () => {
    // an interval a loaded machine cannot miss between a PING and its PONG (10 ms failed once in a CI rehearsal)
    const { initiator, responder } = await sessionPair({ initiator: { keepAliveIntervalMs: 200 } })
    const rtt = await initiator.ping()
    assert.ok(rtt >= 0)
    const keepAlives = countFrames(initiator, FrameType.PING)
    const packet = randomBytes(1280)
    const gotDatagram = once(responder, 'datagram')
    assert.equal(initiator.sendDatagram(packet), true)
    assert.deepEqual((await gotDatagram)[0], packet)
    const back = once(initiator, 'datagram')
    responder.sendDatagram(Buffer.from([0x60, 1]))
    assert.deepEqual((await back)[0], Buffer.from([0x60, 1]))
    assert.throws(() => initiator.sendDatagram(Buffer.alloc(0)))
    // keep-alive pings are answered, so the session stays up for several intervals
    await waitFor(() => keepAlives.count >= 3 || initiator.isClosed, 'three keep-alive PINGs')
    assert.equal(initiator.isClosed, false)
    const goaway = once(initiator, 'goaway')
    const closed = once(initiator, 'close')
    responder.close(ErrorCode.NO_ERROR)
    assert.deepEqual(await goaway, [0, ErrorCode.NO_ERROR])
    await closed
    assert.equal(initiator.isClosed, true)
    assert.throws(() => initiator.openStream(1))
  })

  it('padding BLOCK: every record carries a multiple of 64 plaintext bytes', async () => {
    const sizes: number[] = []
    let handshakeDone = false
    const { initiator, responder } = await sessionPair({
      initiator: { padding: { strategy: 'BLOCK' } },
      duplex: { tap: (chunk, from) => { if (from === 0 && handshakeDone) sizes.push(chunk.byteLength); return chunk } }
    })
    handshakeDone = true
    responder.on('stream', (stream) => { stream.resume(); stream.on('error', () => {}) })
    const stream = initiator.openStream(1).on('error', () => {})
    for (const length of [1, 10, 57, 58, 100, 1000, 5000]) stream.write(randomBytes(length))
    await initiator.ping()
    assert.ok(sizes.length >= 8)
    for (const size of sizes) assert.equal((size - 18) % 64, 0, `record of ${size} bytes`)
    initiator.close()
  })

  it('idle PADDING frames are sent when nothing else is', async () => {
    let idleRecords = 0
    let handshakeDone = false
    const { responder } = await sessionPair({
      responder: { idlePaddingIntervalMs: 5 },
      duplex: { tap: (chunk, from) => { if (from === 1 && handshakeDone) idleRecords++; return chunk } }
    })
    handshakeDone = true
    await waitFor(() => idleRecords >= 3, 'idle padding records')
    assert.equal(responder.isClosed, false)
    responder.close()
  })

  it('instrumented: no (key, nonce) pair is used twice across both directions and rekeys', async function () {
    this.timeout(60_000)
    const seen = new Set<string>()
    let duplicates = 0
    const { initiator, responder } = await sessionPair({
      nonceObserver: (key, nonce) => { const id = `${key.toString('hex')}/${nonce}`; if (seen.has(id)) duplicates++; seen.add(id) },
      initiator: { record: { rekeyAfterMessages: 3 } },
      responder: { record: { rekeyAfterMessages: 4 } }
    })
    responder.on('stream', (stream) => { stream.pipe(stream) })
    const stream = initiator.openStream(7)
    const data = randomBytes(400_000)
    stream.end(data)
    assert.equal(sha(await readAll(stream)), sha(data))
    assert.ok(initiator.rekeyCounts.sent > 5 && responder.rekeyCounts.sent > 5)
    assert.equal(initiator.rekeyCounts.sent, responder.rekeyCounts.received)
    assert.equal(duplicates, 0)
    assert.ok(seen.size > 100)
    initiator.close()
  })
})
