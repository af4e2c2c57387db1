import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import type { Server } from 'node:net'
import { InProcessNetwork } from '../../harness/inProcessNetwork.js'
import { echoRoundTrip } from '../../harness/echoRoundTrip.js'
import { startLocalEchoServer } from '../../harness/localEchoServer.js'
import { waitFor } from '../../harness/waitFor.js'
import { ErrorCode } from '../../../src/session/frames/errorCode.js'
import { StreamResetError } from '../../../src/session/streams/streamErrors.js'

const NODES = 12
/** Node 1's session.streamIdleTimeout; node 0 keeps the default (5 min). */
const IDLE_TIMEOUT_MS = 5000

describe(`tunnels and sessions over the real network: ${NODES} in-process daemons`, function () {
  this.timeout(600_000)
  let net: InProcessNetwork
  let echo: Server
  let echoPort = 0

  before(async function () {
    const started = await startLocalEchoServer()
    echo = started.server
    echoPort = started.port
    net = await InProcessNetwork.start(NODES, (i) => i === 0
      ? { exitCount: 1 }
      : i === 1 ? { entryCount: 1, services: [{ port: 7, host: '127.0.0.1', targetPort: echoPort }], session: { streamIdleTimeoutMs: IDLE_TIMEOUT_MS } } : {})
    await net.readyPaths(0, 'exit', 1)
    await net.readyPaths(1, 'entry', 1)
    await net.apRecordVisible(1, 2)
  })

  after(async function () {
    await net?.stop()
    echo?.close()
  })

  it('a stream from node 0 reaches the echo service node 1 exposes on port 7 of its AP address', async () => {
    const stream = await net.nodes[0]!.openStream(net.apOf(1), 7)
    const message = Buffer.from('hello through six hops')
    assert.deepEqual(await echoRoundTrip(stream, message), message)
    assert.equal(net.nodes[0]!.sessions().length, 1)
    assert.equal(net.nodes[1]!.sessions().length, 1)
    assert.equal(net.nodes[1]!.sessions()[0]!.direction, 'inbound')
  })

  it('eight streams at once each carry 2 MiB there and back intact (senders held back by the tunnel queue resume)', async function () {
    this.timeout(120_000)
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
    const payloads = Array.from({ length: 8 }, () => randomBytes(2 * 1024 * 1024))
    const echoed = await Promise.all(payloads.map(async (payload) => {
      const stream = await net.nodes[0]!.openStream(net.apOf(1), 7)
      return await echoRoundTrip(stream, payload)
    }))
    assert.deepEqual(echoed.map(sha), payloads.map(sha))
  })

  it('a stream left idle is reset by the node whose session.streamIdleTimeout ran out, and its service connection closes', async function () {
    this.timeout(120_000)
    const stream = await net.nodes[0]!.openStream(net.apOf(1), 7)
    const ended = new Promise<Error | undefined>((resolve) => {
      stream.on('error', resolve)
      stream.on('close', () => resolve(undefined))
    })
    const echoed = new Promise<void>((resolve) => stream.once('data', () => resolve()))
    stream.write(Buffer.from('one message, then silence'))
    await echoed
    const lastData = Date.now()
    const error = await ended
    const idleFor = Date.now() - lastData
    assert.ok(error instanceof StreamResetError && error.errorCode === ErrorCode.CANCEL && error.by === 'remote', `ended with ${String(error)}`)
    assert.ok(idleFor >= IDLE_TIMEOUT_MS - 50, `reset after ${idleFor} ms of silence`) // node 1 saw the last DATA a little after node 0
    await waitFor('the echo service to see its connection closed', async () => await new Promise<boolean>((resolve) => echo.getConnections((_e, count) => resolve(count === 0))), 30_000, 100)
    assert.equal(net.nodes[0]!.sessions().length, 1, 'the session goes on')
  })
})
