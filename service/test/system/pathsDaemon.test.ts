import assert from 'node:assert/strict'
import { ProcessNetwork } from '../harness/processNetwork.js'
import { ProcessNode } from '../harness/processNode.js'
import { runCommand } from '../harness/runCommand.js'
import { phantomctlEntry } from '../harness/repoPaths.js'
import { waitFor } from '../harness/waitFor.js'
import type { NodeStatus } from '../../src/daemon/phantomNode.js'

/**
 * The daemon keeps routing paths by itself (issue 4 end to end): one owner
 * daemon with path.count.exit = path.count.entry = 1 among 11 relay daemons,
 * every one its own process on loopback. Its entry path's terminating node
 * publishes the owner's AP record, which any node can then read.
 */
describe('phantom-node keeps routing paths: 12 daemons as separate processes', function () {
  this.timeout(400_000)
  let net: ProcessNetwork | undefined
  let owner: ProcessNode | undefined

  before(async () => {
    net = await ProcessNetwork.start(11, { readyTimeoutMs: 120_000 })
    owner = await ProcessNode.create({
      name: 'owner',
      bootstrap: [net.nodes[0]!.address, net.nodes[1]!.address],
      config: { path: { x: 2, extraY: 1, count: { exit: 1, entry: 1 }, diversity: false, setupTimeout: '15s' } }
    })
    await owner.start()
  })

  after(async () => {
    await owner?.destroy()
    await net?.destroy()
  })

  it('builds an exit and an entry path, and reports them in status and phantomctl paths', async () => {
    const status = await waitFor('one ready exit and one ready entry path', async () => {
      const s = await owner!.status()
      const ready = (kind: string): boolean => s.paths.some(p => p.kind === kind && p.state === 'ready')
      return ready('exit') && ready('entry') ? s : undefined
    }, 240_000, 500)
    for (const p of status.paths.filter(x => x.state === 'ready')) {
      assert.equal(p.hops, 2)
      assert.ok(p.builtMs > 0)
    }
    assert.equal(status.ap.length, 1)
    assert.match(status.ap[0]!.address, /^fd50:/)
    assert.match(status.ap[0]!.name, /^[a-z2-7]{52}\.phantom$/)

    const r = await runCommand(process.execPath, [phantomctlEntry(), '--socket', owner!.socket, 'paths', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const listed = JSON.parse(r.stdout) as Array<{ kind: string, state: string }>
    assert.ok(listed.some(p => p.kind === 'entry' && p.state === 'ready'))
    const human = await runCommand(process.execPath, [phantomctlEntry(), '--socket', owner!.socket, 'status'])
    assert.match(human.stdout, /AP address/)
    assert.ok(human.stdout.includes(status.ap[0]!.address))
  })

  it('the owner\'s AP record, published by its entry node, is readable from another node and does not name the owner', async () => {
    const status: NodeStatus = await owner!.status()
    const reader = net!.nodes[7]!
    const got = await waitFor('the AP record in the DHT', async () => {
      try {
        return await reader.call<{ record: { ap: string, name: string, entryNodes: Array<{ peerId: string }> } }>('netdb.get', { key: status.ap[0]!.name })
      } catch {
        return undefined
      }
    }, 120_000, 1000)
    assert.equal(got.record.ap, status.ap[0]!.address)
    assert.ok(got.record.entryNodes.length >= 1)
    assert.ok(got.record.entryNodes.every(e => e.peerId !== owner!.peerId), 'entry nodes are terminating nodes, never the owner')
  })
})
