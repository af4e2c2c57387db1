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

describe(`path setup over libp2p: ${NODES} hosts on loopback`, function () {
  this.timeout(120_000)
  let lab: PathLab | undefined
  const builds: Array<{ kind: 'exit' | 'entry', reversed: boolean, readyFirst: 'owner' | 'terminating', attempt: BuildAttempt, wire: Map<string, WireEvent[]> }> = []

  before(async function () {
    lab = await PathLab.start(NODES, { record: true, settings: { roundTimeoutMs: 15_000 } })
    const owner = lab.nodes[0]!
    // both orientations for both kinds, each with either end starting the ready exchange, forced through the owner's test hooks
    for (const [reversed, readyFirst] of [[false, 'owner'], [true, 'terminating'], [false, 'terminating'], [true, 'owner']] as const) {
      for (const kind of ['exit', 'entry'] as const) {
        owner.hooks.forceReverse = reversed
        owner.hooks.forceReadyFirst = readyFirst
        // One attempt per build, so the recorded wire traffic is that of one ring. A build that
        // failed only because a loopback TCP connect was reset (seen on a loaded CI machine) is
        // repeated from scratch; any other failure fails the test.
        let attempt: BuildAttempt | undefined
        for (let tries = 1; ; tries++) {
          await lab.isolate(owner)
          lab.clearRecords()
          const result = await owner.service.buildPath(kind, { maxAttempts: 1 })
          attempt = result.attempts[0]!
          if (result.ok) break
          const transient = /connection error .*(ECONNRESET|ECONNREFUSED|EPIPE)/.test(attempt.reason ?? '')
          assert.ok(transient && tries < 3, `${kind} reversed=${String(reversed)} failed (try ${tries}): ${attempt.reason ?? ''}`)
        }
        // the owner is ready once its own ready exchange is done; the last block may still be on its way to the far end
        await waitFor('every X-node linked', () => attempt.path.every((id) => { const load = lab!.byPeerId(id).service.memberLoad(); return load.unlinked === 0 && load.relayed >= 1 }), 10_000, 20)
        const wire = new Map(lab.nodes.map((n) => [n.peerId, n.wire.slice()]))
        builds.push({ kind, reversed, readyFirst, attempt, wire })
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
    delete owner.hooks.forceReadyFirst
  })

  after(async function () {
    await lab?.stop()
  })

  function assertNeverSeesOwner (t: LabNode, owner: PeerId, what: string): void {
    const ownerText = owner.toString()
    assert.ok(t.wire.length > 0, 'terminating node recorded its streams')
    for (const e of t.wire) assert.notEqual(e.remotePeer, ownerText, `${what}: terminating node has a ${e.protocol} stream with the owner`)
    for (const s of t.states) for (const n of s.neighbours) assert.notEqual(n, ownerText, `${what}: terminating node's package names the owner`)
    for (const c of t.host.getConnections()) assert.ok(!c.remotePeer.equals(owner), `${what}: terminating node is connected to the owner`)
  }

  it('exit and entry paths reach ready in both orientations; every X-node keeps a relayed path', () => {
    assert.deepEqual(builds.map((b) => `${b.kind}/${String(b.reversed)}/${b.readyFirst}`).sort(), [
      'entry/false/owner', 'entry/false/terminating', 'entry/true/owner', 'entry/true/terminating',
      'exit/false/owner', 'exit/false/terminating', 'exit/true/owner', 'exit/true/terminating'
    ])
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

  it('linking (invariants 1 and 3): an X-node\'s link streams follow from PeerIds alone, and the first ready block comes from the owner\'s side exactly when the owner\'s coin says so', () => {
    const B = LINK_BLOCK_BYTES
    const peerBytes = (id: string): Buffer => Buffer.from(lab!.byPeerId(id).host.peerId.toMultihash().bytes)
    const ownerId = lab!.nodes[0]!.peerId
    const firstFromOwnerSide = { yes: 0, no: 0 }
    for (const b of builds) {
      const path = b.attempt.path
      path.forEach((self, j) => {
        const terminating = j === path.length - 1
        const towardOwner = j === 0 ? ownerId : path[j - 1]!
        const neighbours = terminating ? [towardOwner] : [towardOwner, path[j + 1]!]
        const events = b.wire.get(self)!.filter((e) => e.protocol === 'link')
        const streams = [...new Set(events.map((e) => e.stream))]
        assert.equal(streams.length, neighbours.length, `${self}: one link stream per edge`)
        for (const tag of streams) {
          const own = events.filter((e) => e.stream === tag)
          const remote = own[0]!.remotePeer
          assert.ok(neighbours.includes(remote), 'a link stream goes to a final neighbour')
          // the end with the smaller PeerId opens the edge, whatever the orientation
          const opener = Buffer.compare(peerBytes(self), peerBytes(remote)) < 0
          assert.equal(own[0]!.direction, opener ? 'outbound' : 'inbound')
          const blocks = own.slice(1).map((e) => `${e.event}:${e.bytes}`)
          assert.equal(own[0]!.event, 'open')
          assert.equal(blocks[0], opener ? `send:${B}` : `recv:${B}`, 'the hello')
          assert.deepEqual(blocks.slice(1).sort(), [`recv:${B}`, `send:${B}`], 'one ready block each way')
        }
        // ready blocks after the hellos, in order
        const hellos = new Set(streams.map((tag) => events.find((e) => e.stream === tag && e.event !== 'open')))
        const ready = events.filter((e) => e.event !== 'open' && !hellos.has(e)).map((e) => ({ op: e.event, side: e.remotePeer === towardOwner ? 'owner' : 'far' }))
        if (terminating) {
          assert.deepEqual(ready.map((r) => r.op), b.readyFirst === 'terminating' ? ['send', 'recv'] : ['recv', 'send'])
          return
        }
        // a relay: recv on one edge, send on the other, then back the same way
        assert.deepEqual(ready.map((r) => r.op), ['recv', 'send', 'recv', 'send'])
        assert.notEqual(ready[0]!.side, ready[1]!.side)
        assert.equal(ready[2]!.side, ready[1]!.side)
        assert.equal(ready[3]!.side, ready[0]!.side)
        const fromOwnerSide = ready[0]!.side === 'owner'
        assert.equal(fromOwnerSide, b.readyFirst === 'owner')
        firstFromOwnerSide[fromOwnerSide ? 'yes' : 'no']++
      })
      for (const m of b.attempt.ring.filter((r) => r.role === 'Y')) assert.equal(view(b.wire.get(m.peerId)!, 'link'), '', 'a Y-node has no link stream')
    }
    // across the builds the first ready block came from either side: its direction says nothing about the orientation
    assert.ok(firstFromOwnerSide.yes > 0 && firstFromOwnerSide.no > 0, JSON.stringify(firstFromOwnerSide))
  })

  it('round 2 names a relay\'s neighbours in canonical order, so its package does not say which is toward the owner', () => {
    // member states are recorded per build; the last build's are still there
    const last = builds[builds.length - 1]!
    for (const id of last.attempt.path) {
      const states = lab!.byPeerId(id).states.filter((s) => s.round === 2 && s.role === 'X')
      assert.ok(states.length >= 1)
      for (const s of states) {
        assert.equal(s.neighbours.length, s.terminating ? 1 : 2)
        const bytes = s.neighbours.map((n) => Buffer.from(lab!.byPeerId(n).host.peerId.toMultihash().bytes))
        if (bytes.length === 2) assert.ok(Buffer.compare(bytes[0]!, bytes[1]!) < 0)
      }
    }
  })

  it('the terminating node of an entry path publishes the AP record it was handed, listing itself as entry node', async () => {
    const entries = builds.filter((b) => b.kind === 'entry')
    assert.equal(entries.length, 4)
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
