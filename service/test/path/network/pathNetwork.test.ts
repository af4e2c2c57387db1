import assert from 'node:assert/strict'
import type { PeerId } from '@libp2p/interface'
import { decodeApRecord } from '../../../src/netdb/records/apRecord.js'
import { apRecordKey } from '../../../src/netdb/recordKeys.js'
import { peerIdOfBytes } from '../../../src/path/network/peerAddressing.js'
import { SETUP_MESSAGE_BYTES } from '../../../src/path/setup/constants.js'
import { LINK_BLOCK_BYTES } from '../../../src/path/network/linkBlocks.js'
import type { BuildAttempt, WireEvent } from '../../../src/path/service/index.js'
import { waitFor } from '../../harness/waitFor.js'
import { PathLab, type LabNode } from './pathLab.js'

const NODES = 13

function view (events: WireEvent[], protocol: WireEvent['protocol']): string {
  return events.filter((e) => e.protocol === protocol).map((e) => `${e.direction}:${e.event}:${e.bytes}`).join(' ')
}

/** Cuts the owner off from everybody, so any connection or peer-store entry afterwards comes from the next build. */
async function isolateOwner (lab: PathLab, owner: LabNode): Promise<void> {
  for (const p of owner.service.list()) owner.service.closePath(p.id)
  for (const conn of owner.host.getConnections()) await owner.host.hangUp(conn.remotePeer)
  await waitFor('no connection to the owner left', () => lab.nodes.every((n) => n.host.getConnections(owner.host.peerId).length === 0), 10_000, 20)
  for (const n of lab.nodes) if (n !== owner) await n.host.peerStore.delete(owner.host.peerId)
}

describe(`path setup over libp2p: ${NODES} hosts on loopback`, function () {
  this.timeout(120_000)
  let lab: PathLab | undefined
  const builds: Array<{ kind: 'exit' | 'entry', reversed: boolean, attempt: BuildAttempt, wire: Map<string, WireEvent[]> }> = []

  before(async function () {
    lab = await PathLab.start(NODES, { record: true, settings: { roundTimeoutMs: 15_000 } })
    const owner = lab.nodes[0]!
    // both orientations for both kinds, orientation forced through the owner's test hook
    for (const reversed of [false, true]) {
      for (const kind of ['exit', 'entry'] as const) {
        owner.hooks.forceReverse = reversed
        // One attempt per build, so the recorded wire traffic is that of one ring. A build that
        // failed only because a loopback TCP connect was reset (seen on a loaded CI machine) is
        // repeated from scratch; any other failure fails the test.
        let attempt: BuildAttempt | undefined
        for (let tries = 1; ; tries++) {
          await isolateOwner(lab, owner)
          lab.clearRecords()
          const result = await owner.service.buildPath(kind, { maxAttempts: 1 })
          attempt = result.attempts[0]!
          if (result.ok) break
          const transient = /connection error .*(ECONNRESET|ECONNREFUSED|EPIPE)/.test(attempt.reason ?? '')
          assert.ok(transient && tries < 3, `${kind} reversed=${String(reversed)} failed (try ${tries}): ${attempt.reason ?? ''}`)
        }
        const wire = new Map(lab.nodes.map((n) => [n.peerId, n.wire.slice()]))
        builds.push({ kind, reversed, attempt, wire })
        // anonymity of the terminating node, checked right after this build (invariant 2)
        const t = lab.byPeerId(attempt.terminating)
        assertNeverSeesOwner(t, owner.host.peerId, `${kind}/${reversed ? 'reversed' : 'forward'}`)
        assert.equal(await t.host.peerStore.has(owner.host.peerId), false, 'terminating node\'s peer store knows the owner')
        // the check can fail: the last ring member does dial the owner
        const last = lab.byPeerId(attempt.ring[attempt.ring.length - 1]!.peerId)
        assert.ok(last.wire.some((e) => e.remotePeer === owner.peerId), 'the last ring member is seen talking to the owner')
      }
    }
    delete owner.hooks.forceReverse
  })

  after(async function () {
    await lab?.stop()
  })

  function assertNeverSeesOwner (t: LabNode, owner: PeerId, what: string): void {
    const ownerText = owner.toString()
    assert.ok(t.wire.length > 0, 'terminating node recorded its streams')
    for (const e of t.wire) assert.notEqual(e.remotePeer, ownerText, `${what}: terminating node has a ${e.protocol} stream with the owner`)
    for (const s of t.states) {
      assert.notEqual(s.prev, ownerText, `${what}: terminating node's package names the owner`)
      assert.notEqual(s.next, ownerText, `${what}: terminating node's package names the owner`)
    }
    for (const c of t.host.getConnections()) assert.ok(!c.remotePeer.equals(owner), `${what}: terminating node is connected to the owner`)
  }

  it('exit and entry paths reach ready in both orientations; every X-node keeps a relayed path', () => {
    assert.deepEqual(builds.map((b) => `${b.kind}/${String(b.reversed)}`).sort(), ['entry/false', 'entry/true', 'exit/false', 'exit/true'])
    for (const b of builds) {
      assert.equal(b.attempt.ok, true)
      assert.equal(b.attempt.reversed, b.reversed)
      assert.equal(b.attempt.path.length, 3)
      assert.equal(b.attempt.path[2], b.attempt.terminating)
      assert.ok(b.attempt.ring.length >= 8 && b.attempt.ring.length <= 10)
    }
    // only the last build is still open (each build isolated the owner first)
    const last = builds[builds.length - 1]!
    for (const id of last.attempt.path) assert.ok(lab!.byPeerId(id).service.memberLoad().relayed >= 1, 'X-node relays the ready path')
    const summary = lab!.nodes[0]!.service.list().filter((p) => p.state === 'ready')
    assert.equal(summary.length, 1)
    assert.equal(summary[0]!.kind, last.kind)
    assert.equal(summary[0]!.hops, 3)
    assert.ok(summary[0]!.builtMs > 0)
  })

  it('every member sees the same setup messages (count, size, order, direction) in every role and both orientations', () => {
    const byRole = new Map<string, Set<string>>()
    for (const b of builds) {
      b.attempt.ring.forEach((m) => {
        const role = m.peerId === b.attempt.terminating ? 'T' : m.role
        const key = `${role}/${b.reversed ? 'reversed' : 'forward'}/${b.kind}`
        if (!byRole.has(key)) byRole.set(key, new Set())
        byRole.get(key)!.add(view(b.wire.get(m.peerId)!, 'setup'))
      })
    }
    for (const role of ['X', 'Y', 'T']) for (const o of ['forward', 'reversed']) for (const k of ['exit', 'entry']) assert.ok(byRole.has(`${role}/${o}/${k}`), `no ${role}/${o}/${k} member`)
    const all = new Set([...byRole.values()].flatMap((s) => [...s]))
    const M = SETUP_MESSAGE_BYTES
    assert.deepEqual([...all], [`inbound:open:0 inbound:recv:${M} outbound:open:0 outbound:send:${M} inbound:recv:${M} outbound:send:${M}`])
  })

  it('linking: every non-terminating X-node and every terminating node sees one fixed pattern of 64-byte blocks, whatever the orientation and kind', () => {
    const views = { X: new Set<string>(), T: new Set<string>(), Y: new Set<string>() }
    for (const b of builds) {
      for (const m of b.attempt.ring) {
        const role = m.peerId === b.attempt.terminating ? 'T' : m.role
        views[role].add(view(b.wire.get(m.peerId)!, 'link'))
      }
    }
    const B = LINK_BLOCK_BYTES
    assert.deepEqual([...views.X], [`inbound:open:0 inbound:recv:${B} outbound:open:0 outbound:send:${B} outbound:recv:${B} inbound:send:${B}`])
    assert.deepEqual([...views.T], [`inbound:open:0 inbound:recv:${B} inbound:send:${B}`])
    assert.deepEqual([...views.Y], [''])
  })

  it('the terminating node of an entry path publishes the AP record it was handed, listing itself as entry node', async () => {
    const entries = builds.filter((b) => b.kind === 'entry')
    assert.equal(entries.length, 2)
    for (const b of entries) {
      const t = lab!.byPeerId(b.attempt.terminating)
      await waitFor('AP record put', () => t.puts.length > 0, 10_000, 20)
      const put = t.puts[t.puts.length - 1]!
      const record = decodeApRecord(put.value)
      assert.ok(put.key.equals(Buffer.from(apRecordKey(record.ap))))
      assert.ok(record.entryNodes.some((e) => peerIdOfBytes(e.peerId).toString() === t.peerId), 'record lists the terminating node')
      assert.ok(record.entryNodes.every((e) => peerIdOfBytes(e.peerId).toString() !== lab!.nodes[0]!.peerId), 'record never lists the owner')
    }
    // nobody but terminating nodes of entry paths publishes
    const publishers = lab!.nodes.filter((n) => n.puts.length > 0).map((n) => n.peerId).sort()
    assert.deepEqual(publishers, [...new Set(entries.map((b) => b.attempt.terminating))].sort())
  })

  it('closing the owner\'s link tears the path down at every X-node', async () => {
    const owner = lab!.nodes[0]!
    const last = builds[builds.length - 1]!
    for (const p of owner.service.list()) owner.service.closePath(p.id)
    await waitFor('relayed paths torn down', () => last.attempt.path.every((id) => lab!.byPeerId(id).service.memberLoad().relayed === 0), 10_000, 20)
  })
})
