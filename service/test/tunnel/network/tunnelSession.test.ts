import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import type { Server } from 'node:net'
import { InProcessNetwork } from '../../harness/inProcessNetwork.js'
import { echoRoundTrip } from '../../harness/echoRoundTrip.js'
import { startLocalEchoServer } from '../../harness/localEchoServer.js'

const NODES = 12

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
      : i === 1 ? { entryCount: 1, services: [{ port: 7, host: '127.0.0.1', targetPort: echoPort }] } : {})
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
})
