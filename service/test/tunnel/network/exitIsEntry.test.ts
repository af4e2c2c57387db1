import assert from 'node:assert/strict'
import type { Server } from 'node:net'
import { peerIdOfBytes } from '../../../src/path/network/peerAddressing.js'
import { InProcessNetwork } from '../../harness/inProcessNetwork.js'
import { echoRoundTrip } from '../../harness/echoRoundTrip.js'
import { startLocalEchoServer } from '../../harness/localEchoServer.js'
import { waitFor } from '../../harness/waitFor.js'

const NODES = 6
const MAX_REBUILDS = 80

/**
 * The exit node of the owner's path is also the target's entry node (a small
 * network, paths chosen without diversity). libp2p cannot dial its own node,
 * so before the local join every tunnel through such a pair failed with
 * "Can not dial self" (about one setup in ten in a 12-node test network).
 * Six in-process daemons, two-hop paths: node 0's exit path is closed and
 * rebuilt until its exit node is node 1's entry node (one build in five;
 * 80 builds all miss with probability 2e-8), then a stream must reach node
 * 1's echo service through that node.
 *
 * Node 1's entry node must not be node 0 itself: node 0 never picks itself
 * for its own path, so the pair could never form (one run in five before
 * this was checked). Node 1's entry path is rebuilt until it ends elsewhere,
 * and node 0 must see the AP record naming that entry node.
 */
describe('tunnels: the exit node is also the target\'s entry node', function () {
  this.timeout(900_000)
  let echo: Server
  let echoPort = 0
  let net: InProcessNetwork | undefined

  before(async () => {
    const started = await startLocalEchoServer()
    echo = started.server
    echoPort = started.port
    net = await InProcessNetwork.start(NODES, (i) => i === 0
      ? { exitCount: 1 }
      : i === 1 ? { entryCount: 1, services: [{ port: 7, host: '127.0.0.1', targetPort: echoPort }] } : {}, { x: 2 })
    await net.readyPaths(0, 'exit', 1)
    await net.readyPaths(1, 'entry', 1)
    const b = net.nodes[1]!
    const self0 = net.nodes[0]!.peerId.toString()
    const entryPath = (): { id: string, hops: string[] } | undefined => b.tunnelService.ownedPathMembers().find((p) => p.kind === 'entry')
    for (let rebuilds = 0; entryPath()?.hops.at(-1) === self0; rebuilds++) {
      assert.ok(rebuilds < MAX_REBUILDS, `${MAX_REBUILDS} entry paths of node 1, all ended at node 0`)
      b.pathService.closePath(entryPath()!.id)
      await b.pathService.buildPath('entry')
      await waitFor('node 1 has one ready entry path', () => b.tunnelService.ownedPathMembers().filter((p) => p.kind === 'entry').length === 1, 60_000, 50)
    }
    const entry = entryPath()?.hops.at(-1)
    await waitFor('node 0 sees node 1\'s AP record naming only its current entry node', async () => {
      const found = await net!.nodes[0]!.resolveApRecord(net!.apOf(1))
      return found != null && found.entryNodes.length === 1 && peerIdOfBytes(found.entryNodes[0]!.peerId).toString() === entry
    }, 120_000, 500)
  })

  after(async () => {
    await net?.stop()
    echo?.close()
  })

  it('joins the two tunnels inside that node; a stream reaches the target\'s service', async () => {
    const a = net!.nodes[0]!
    const entry = net!.nodes[1]!.tunnelService.ownedPathMembers().find((p) => p.kind === 'entry')?.hops.at(-1)
    assert.ok(entry != null, 'node 1 has no entry path')
    const exitPath = (): { id: string, hops: string[] } | undefined => a.tunnelService.ownedPathMembers().find((p) => p.kind === 'exit')
    let rebuilds = 0
    while (exitPath()?.hops.at(-1) !== entry) {
      assert.ok(rebuilds < MAX_REBUILDS, `${MAX_REBUILDS} exit paths of node 0, none ended at node 1's entry node`)
      const old = exitPath()
      if (old != null) a.pathService.closePath(old.id)
      await a.pathService.buildPath('exit')
      await waitFor('node 0 has one ready exit path', () => a.tunnelService.ownedPathMembers().filter((p) => p.kind === 'exit').length === 1, 60_000, 50)
      rebuilds++
    }
    const stream = await a.openStream(net!.apOf(1), 7)
    const message = Buffer.from('through one node that is exit and entry at once')
    assert.deepEqual(await echoRoundTrip(stream, message), message)
    assert.equal(net!.nodes[1]!.sessions()[0]?.direction, 'inbound')
  })
})
