import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { Server } from 'node:net'
import { InProcessNetwork } from '../../harness/inProcessNetwork.js'
import { echoRoundTrip } from '../../harness/echoRoundTrip.js'
import { startLocalEchoServer } from '../../harness/localEchoServer.js'

const NODES = 12
const A = 10
const B = 11

/**
 * Both ends of a full connection behind NAT, as far as the network can tell:
 * A and B listen nowhere, so nobody can dial them. Their paths are built by
 * connecting to the members that must reach them first (PROTOCOL.md §6,
 * round 1), and every byte between them travels over connections they opened.
 */
describe(`a full connection between two nodes nobody can dial: ${NODES} in-process daemons`, function () {
  this.timeout(600_000)
  let net: InProcessNetwork
  let echo: Server

  before(async function () {
    const started = await startLocalEchoServer()
    echo = started.server
    net = await InProcessNetwork.start(NODES, (i) => i === A
      ? { listen: [], exitCount: 1 }
      : i === B ? { listen: [], entryCount: 1, services: [{ port: 7, host: '127.0.0.1', targetPort: started.port }] } : {})
    await net.readyPaths(A, 'exit', 1)
    await net.readyPaths(B, 'entry', 1)
    await net.apRecordVisible(B, 2)
  })

  after(async function () {
    await net?.stop()
    echo?.close()
  })

  it('neither end has an address to give', () => {
    assert.deepEqual(net.nodes[A]!.host.getMultiaddrs(), [])
    assert.deepEqual(net.nodes[B]!.host.getMultiaddrs(), [])
  })

  it('a stream from A reaches the echo service B exposes, and 1 MiB comes back intact', async () => {
    const stream = await net.nodes[A]!.openStream(net.apOf(B), 7)
    const payload = randomBytes(1024 * 1024)
    assert.deepEqual(await echoRoundTrip(stream, payload), payload)
    assert.equal(net.nodes[B]!.sessions()[0]?.direction, 'inbound')
  })

  it('every connection either end has, it opened itself', () => {
    for (const i of [A, B]) {
      const conns = net.nodes[i]!.host.getConnections()
      assert.ok(conns.length > 0)
      assert.deepEqual(conns.filter((c) => c.direction !== 'outbound').map((c) => c.remotePeer.toString()), [], `node ${i} has inbound connections`)
    }
  })
})
