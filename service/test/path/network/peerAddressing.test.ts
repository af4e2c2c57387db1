import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { connectedOn, dialTarget, fittingMultiaddrs, peerIdBytes } from '../../../src/path/network/peerAddressing.js'
import { waitFor } from '../../harness/waitFor.js'
import { PathLab } from './pathLab.js'

/**
 * A neighbour a package names without addresses (an owner nobody can dial)
 * is reached only over a connection it opened: with none, nothing is dialled
 * and nothing looked up, whatever libp2p might find for a bare PeerId.
 */
describe('path addressing: dial targets of named peers', function () {
  this.timeout(60_000)
  let lab: PathLab | undefined

  before(async function () {
    lab = await PathLab.start(2)
  })

  after(async function () {
    await lab?.stop()
  })

  it('a peer named with addresses is dialled at them, with /p2p/ so that Noise checks who answers', () => {
    const [a, b] = [lab!.nodes[0]!, lab!.nodes[1]!]
    const ref = { peerId: peerIdBytes(b.host.peerId), multiaddrs: fittingMultiaddrs(b.host.getMultiaddrs()) }
    const { target } = dialTarget(ref, connectedOn(a.host))
    assert.ok(Array.isArray(target) && target.length > 0)
    for (const ma of target) assert.ok(ma.toString().endsWith(`/p2p/${b.peerId}`), ma.toString())
  })

  it('a peer named without addresses: refused while not connected (no dial, no lookup), its PeerId once it connected', async () => {
    const [a, b] = [lab!.nodes[0]!, lab!.nodes[1]!]
    const ref = { peerId: peerIdBytes(b.host.peerId), multiaddrs: [] }
    assert.equal(a.host.getConnections(b.host.peerId).length, 0)
    assert.throws(() => dialTarget(ref, connectedOn(a.host)), /not connected/)
    assert.equal(a.host.getConnections(b.host.peerId).length, 0, 'something was dialled')
    // b connects first, as an owner nobody can dial does
    await b.host.dial(multiaddr(a.host.getMultiaddrs()[0]!.toString()))
    await waitFor('the connection b opened, seen at a', () => a.host.getConnections(b.host.peerId).some((c) => c.status === 'open'), 10_000, 10)
    const { target } = dialTarget(ref, connectedOn(a.host))
    assert.ok(!Array.isArray(target) && target.equals(b.host.peerId))
  })
})
