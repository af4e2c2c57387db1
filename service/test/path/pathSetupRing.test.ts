import assert from 'node:assert/strict'
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import {
  ARRAY_BYTES, ARRAY_SLOTS, buildPathSetup, checkReturnedArray, MAX_RING_MEMBERS, orderRing, encodeSetupPackage, findOwnSlot, splitArray, SLOT_PLAIN, type PathMemberState
} from '../../src/path/index.js'
import { buildTestRing, contains, identityOf, makeNode, makeRealNode, runBothRounds, type TestRing } from './pathTestKit.js'

/** Instrumented record of what one member saw: per message its round, slot count and byte size, in order. */
function viewRecord (r1: { arrayBytes: Buffer }, r2: { arrayBytes: Buffer }): string {
  return JSON.stringify([r1, r2].map((m, round) => ({ round: round + 1, slots: splitArray(m.arrayBytes).length, bytes: m.arrayBytes.length })))
}

function assertOwnerNotIn (bytes: Uint8Array, ring: TestRing, what: string): void {
  assert.ok(!contains(bytes, ring.owner.peerId), `${what} contains the owner's PeerId`)
  for (const ma of ring.owner.multiaddrs) assert.ok(!contains(bytes, ma), `${what} contains an owner multiaddr`)
}

describe('path setup around the ring (owner prediction vs real member processing)', function () {
  this.timeout(120000)

  it('every member receives exactly the predicted arrays, the owner accepts both rounds, views are identical in every role and orientation', () => {
    const views = new Map<string, Set<string>>()
    const orientations = new Set<boolean>()
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom<'exit' | 'entry'>('exit', 'entry'), fc.boolean(),
      (x, extraY, kind, reverse) => {
        const ring = buildTestRing({ x, extraY, kind, reverse })
        const { plan } = ring
        orientations.add(plan.ring.reversed)
        const { r1, r2, round1States, pathStates } = runBothRounds(ring)
        assert.equal(r1.dropped, null, r1.dropped?.reason)
        assert.equal(r2.dropped, null, r2.dropped?.reason)
        for (const [run, planRound] of [[r1, plan.round1], [r2, plan.round2]] as const) {
          assert.equal(run.received.length, plan.ring.members.length)
          run.received.forEach((got, i) => {
            const want = planRound.arrivals[i]!
            assert.ok(got.arrayBytes.equals(want.arrayBytes), `round ${planRound.round} member ${i}: array differs from prediction`)
            assert.ok(got.linkId.equals(want.linkId) && got.senderPeerId.equals(want.senderPeerId))
          })
          assert.ok(run.returned != null && checkReturnedArray(planRound, run.returned))
        }
        // The round-1 array is not accepted in place of round 2, nor the reverse.
        assert.equal(checkReturnedArray(plan.round2, r1.returned!), false)
        assert.equal(checkReturnedArray(plan.round1, r2.returned!), false)

        plan.ring.members.forEach((m, i) => {
          const role = i === plan.ring.terminatingIndex ? 'T' : m.role
          const key = `${role}/${plan.ring.reversed ? 'reversed' : 'forward'}`
          if (!views.has(key)) views.set(key, new Set())
          views.get(key)!.add(viewRecord(r1.received[i]!, r2.received[i]!))
          assert.equal(r1.received[i]!.arrayBytes.length, ARRAY_BYTES)
          assert.equal(round1States[i]!.role, m.role)
          if (m.role === 'Y') assert.equal(pathStates[i], null)
        })

        plan.hops.forEach((hop, j) => {
          const state = pathStates[hop.ringIndex] as PathMemberState
          assert.ok(state != null)
          const terminating = j === plan.hops.length - 1
          assert.equal(state.terminating, terminating)
          assert.ok(state.keySeed.equals(hop.keySeed))
          assert.equal(state.keyCount, hop.keyCount)
          assert.ok(state.constructionKey.equals(plan.constructionKey))
          // the final neighbours: an unordered pair in canonical order (smaller PeerId first), each with its edge's link ID
          const towardOwner = { peerId: j === 0 ? ring.owner.peerId : plan.hops[j - 1]!.peer.peerId, linkId: hop.linkIn }
          const expected = terminating ? [towardOwner] : [towardOwner, { peerId: plan.hops[j + 1]!.peer.peerId, linkId: plan.hops[j + 1]!.linkIn }]
          expected.sort((a, b) => Buffer.compare(a.peerId, b.peerId))
          assert.deepEqual(state.neighbours.map((n) => [Buffer.from(n.peer.peerId).toString('hex'), n.linkId.toString('hex')]),
            expected.map((n) => [Buffer.from(n.peerId).toString('hex'), Buffer.from(n.linkId).toString('hex')]))
          for (const n of state.neighbours) assert.ok(n.peer.multiaddrs.length > 0, 'either end of an edge may dial the other')
          if (!terminating) assert.ok(hop.linkOut!.equals(plan.hops[j + 1]!.linkIn))
          assert.equal(state.readyFirst, terminating && plan.readyFirst === 'terminating')
          if (terminating) {
            assert.equal(state.entry, kind === 'entry')
            assert.equal(state.apRecord != null, kind === 'entry')
          } else {
            assert.equal(state.apRecord, null)
          }
        })
      }), { numRuns: 24 })
    assert.deepEqual(orientations, new Set([true, false]))
    // Invariant 1: the same single record (count, sizes, order of messages) for X, Y and terminating nodes.
    const all = new Set([...views.values()].flatMap((s) => [...s]))
    assert.deepEqual([...views.keys()].sort(), ['T/forward', 'T/reversed', 'X/forward', 'X/reversed', 'Y/forward', 'Y/reversed'])
    assert.equal(all.size, 1, [...all].join('\n'))
    assert.deepEqual(JSON.parse([...all][0]!), [{ round: 1, slots: ARRAY_SLOTS, bytes: ARRAY_BYTES }, { round: 2, slots: ARRAY_SLOTS, bytes: ARRAY_BYTES }])
  })

  it('the terminating node never sees the owner (PeerId, multiaddrs) in either orientation; ring predecessors are named by PeerId only', () => {
    for (const reverse of [false, true, false, true]) {
      for (const kind of ['exit', 'entry'] as const) {
        const ring = buildTestRing({ x: 3, extraY: 1, kind, reverse })
        const { r1, r2, round1States, pathStates } = runBothRounds(ring)
        assert.equal(r2.dropped, null)
        const t = ring.plan.ring.terminatingIndex
        const node = ring.byIndex[t]!
        for (const [round, run] of [[1, r1], [2, r2]] as const) {
          const message = run.received[t]!
          assertOwnerNotIn(message.senderPeerId, ring, `round ${round} sender`)
          const slots = splitArray(message.arrayBytes)
          const own = findOwnSlot(slots, message.linkId, round, identityOf(node), round === 2 ? ring.plan.constructionKey : null)
          assert.ok(own.ok)
          assertOwnerNotIn(encodeSetupPackage(own.package), ring, `round ${round} package`)
        }
        assertOwnerNotIn(round1States[t]!.ringPrevPeerId, ring, 'ring predecessor')
        assertOwnerNotIn(round1States[t]!.ringNext.peerId, ring, 'ring successor')
        const state = pathStates[t]!
        assert.equal(state.neighbours.length, 1)
        assertOwnerNotIn(state.neighbours[0]!.peer.peerId, ring, 'final neighbour')
        for (const st of round1States) assert.ok(st.ringNext.multiaddrs.length > 0)
      }
    }
  })

  it('no slot crosses a member unchanged: two colluding members cannot compare arrays (§11.3)', () => {
    for (const reverse of [false, true]) {
      const ring = buildTestRing({ x: 3, extraY: 2, reverse })
      const { r1, r2 } = runBothRounds(ring)
      for (const run of [r1, r2]) {
        const views = [...run.received.map((m) => m.arrayBytes), run.returned!.arrayBytes].map((a) => new Set(splitArray(a).map((s) => s.toString('hex'))))
        for (let i = 0; i < views.length; i++) {
          for (let j = i + 1; j < views.length; j++) {
            const shared = [...views[i]!].filter((s) => views[j]!.has(s))
            assert.equal(shared.length, 0, `views ${i} and ${j} share ${shared.length} slots`)
          }
        }
        // The owner's own first array shares nothing with what comes back either.
        const first = new Set(splitArray(run === r1 ? ring.plan.round1.arrayBytes : ring.plan.round2.arrayBytes).map((s) => s.toString('hex')))
        assert.equal(splitArray(run.returned!.arrayBytes).filter((s) => first.has(s.toString('hex'))).length, 0)
      }
    }
  })

  it('the owner refuses rings that break the rules or do not fit', () => {
    const ring = buildTestRing({ x: 2, extraY: 0 })
    const request = { owner: ring.owner, ring: ring.plan.ring, kind: 'exit' as const, keyCount: 8 }
    assert.doesNotThrow(() => buildPathSetup(request))
    assert.throws(() => buildPathSetup({ ...request, ring: { ...ring.plan.ring, reversed: !ring.plan.ring.reversed } }), RangeError)
    const deafMember = { ...ring.plan.ring.members[0]!, peer: { ...ring.plan.ring.members[0]!.peer, multiaddrs: [] } }
    assert.throws(() => buildPathSetup({ ...request, ring: { ...ring.plan.ring, members: [deafMember, ...ring.plan.ring.members.slice(1)] } }), /dialable/)
    assert.throws(() => buildPathSetup({ ...request, owner: { ...ring.owner, peerId: ring.plan.ring.members[0]!.peer.peerId } }), RangeError)
    assert.throws(() => buildPathSetup({ ...request, keyCount: 0 }), RangeError)
    assert.throws(() => buildPathSetup({ ...request, kind: 'entry' }), RangeError)
    const big = buildTestRing({ x: 2, extraY: 0 })
    const xs = Array.from({ length: 10 }, makeNode).map((n) => n.peer)
    const ys = Array.from({ length: MAX_RING_MEMBERS - 9 }, makeNode).map((n) => n.peer)
    assert.throws(() => buildPathSetup({ owner: big.owner, ring: orderRing(xs, ys), kind: 'exit', keyCount: 1 }), /at most/)
  })

  it('an owner without a dialable address is named without any: the last member and X1 accept it as their neighbour in both rounds, nobody else is told of it', () => {
    for (const kind of ['exit', 'entry'] as const) {
      for (const reverse of [false, true]) {
        const owner = { peerId: randomBytes(38), multiaddrs: [] }
        const ring = buildTestRing({ x: 3, extraY: 1, kind, reverse, owner })
        const { r1, r2, pathStates } = runBothRounds(ring)
        assert.equal(r1.dropped, null, r1.dropped?.reason)
        assert.equal(r2.dropped, null, r2.dropped?.reason)
        assert.ok(checkReturnedArray(ring.plan.round2, r2.returned!))
        const x1 = pathStates[ring.plan.hops[0]!.ringIndex]!
        const named = x1.neighbours.filter((n) => Buffer.from(n.peer.peerId).equals(owner.peerId))
        assert.equal(named.length, 1, 'X1 names the owner as one neighbour')
        assert.deepEqual(named[0]!.peer.multiaddrs, [])
        for (const hop of ring.plan.hops.slice(1)) {
          for (const n of pathStates[hop.ringIndex]!.neighbours) assert.ok(n.peer.multiaddrs.length > 0, 'a relay further out is named a neighbour without an address')
        }
      }
    }
  })

  it('works with real libp2p Ed25519 PeerIds', async () => {
    const nodes = await Promise.all(Array.from({ length: 2 + 3 + 1 }, makeRealNode))
    const owner = await makeRealNode()
    const ring = buildTestRing({ x: 2, extraY: 1, kind: 'entry', nodes, owner: { peerId: owner.peer.peerId, multiaddrs: owner.peer.multiaddrs } })
    const { r1, r2 } = runBothRounds(ring)
    assert.ok(checkReturnedArray(ring.plan.round1, r1.returned!))
    assert.ok(checkReturnedArray(ring.plan.round2, r2.returned!))
    assert.ok(SLOT_PLAIN >= 2054)
  })
})
