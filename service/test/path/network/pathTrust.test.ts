import assert from 'node:assert/strict'
import { PathLab } from './pathLab.js'

/**
 * path.trusted and path.blocklist (PROTOCOL.md §4): with a trusted node
 * configured every path has it as an X-node; a blocked node is never in a
 * ring. The lab puts the trusted node first in its sample (as the daemon's
 * node-record lookup does when the sample misses it).
 */
describe('trusted and blocked nodes (path.trusted, path.blocklist), 12 hosts', function () {
  this.timeout(180_000)
  let lab: PathLab | undefined

  before(async () => {
    lab = await PathLab.start(12, { settings: { x: 2, extraY: 0, roundTimeoutMs: 15_000 } })
  })
  after(async () => { await lab?.stop() })

  it('every path has the trusted node as an X-node and no blocked node in its ring', async () => {
    const owner = lab!.nodes[0]!
    const trusted = lab!.nodes[5]!.peerId
    const blocked = lab!.nodes.slice(6, 9).map(n => n.peerId)
    owner.service.settings.trusted.push(trusted)
    owner.service.settings.blocklist.push(...blocked)
    lab!.preferred = trusted
    for (const kind of ['exit', 'entry', 'exit', 'entry'] as const) {
      const result = await owner.service.buildPath(kind, { maxAttempts: 3 })
      assert.ok(result.ok, result.attempts.map(a => a.reason).join('; '))
      const attempt = result.attempts[result.attempts.length - 1]!
      assert.ok(attempt.path.includes(trusted), `${kind} path ${attempt.path.join(',')} has the trusted node as an X-node`)
      for (const member of attempt.ring) assert.ok(!blocked.includes(member.peerId), `blocked node ${member.peerId} in the ring`)
    }
  })
})
