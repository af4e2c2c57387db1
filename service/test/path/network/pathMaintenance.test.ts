import assert from 'node:assert/strict'
import { waitFor } from '../../harness/waitFor.js'
import { PathLab } from './pathLab.js'

const NODES = 12

describe(`path service upkeep: counts, rotation, rebuild (${NODES} hosts)`, function () {
  this.timeout(120_000)
  let lab: PathLab | undefined

  before(async function () {
    lab = await PathLab.start(NODES, { settings: { x: 2, extraY: 1, exitCount: 2, entryCount: 2, roundTimeoutMs: 5000, rotateAfterMs: 4000, retryBackoffMinMs: 100, retryBackoffMaxMs: 1000 } })
  })

  after(async function () {
    await lab?.stop()
  })

  it('start() keeps 2 exit and 2 entry paths ready, rotates them (replacement first) and rebuilds when a path breaks', async () => {
    const owner = lab!.nodes[0]!
    await owner.service.start()
    try {
      const ready = (kind: 'exit' | 'entry'): string[] => owner.service.list().filter((p) => p.kind === kind && p.state === 'ready').map((p) => p.id)
      await waitFor('2 exit and 2 entry paths ready', () => ready('exit').length >= 2 && ready('entry').length >= 2, 60_000, 50)
      const first = new Set([...ready('exit'), ...ready('entry')])
      for (const p of owner.service.list().filter((s) => s.state === 'ready')) {
        assert.equal(p.hops, 2)
        assert.ok(p.builtMs > 0)
      }

      // rotation: after rotateAfterMs every first-generation path is replaced; never fewer than the target once replacements exist
      await waitFor('every path rotated', () => {
        const now = [...ready('exit'), ...ready('entry')]
        return now.length >= 4 && now.every((id) => !first.has(id))
      }, 60_000, 50)

      // a broken path (its X-nodes' link streams reset) is noticed and replaced
      const victim = ready('exit')[0]!
      for (const n of lab!.nodes.slice(1)) {
        for (const conn of n.host.getConnections(owner.host.peerId)) {
          for (const s of conn.streams) if (s.protocol === '/phantom/link/2.0.0') s.abort(new Error('test: break the path'))
        }
      }
      await waitFor('broken path marked failed', () => owner.service.list().find((p) => p.id === victim)?.state !== 'ready', 10_000, 20)
      await waitFor('exit paths back to 2', () => ready('exit').length >= 2 && !ready('exit').includes(victim), 60_000, 50)
    } finally {
      await owner.service.stop()
    }
    assert.deepEqual(owner.service.list().filter((p) => p.state === 'ready'), [])
  })
})
