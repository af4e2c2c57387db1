import assert from 'node:assert/strict'
import fc from 'fast-check'
import { orderRing, ringOrderViolation } from '../../src/path/index.js'

describe('path ring ordering', () => {
  it('always satisfies the ordering rules, both ends are Y, the owner never neighbours an X', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 6 }), (x, extra) => {
      const xs = Array.from({ length: x }, (_, i) => `x${i}`)
      const ys = Array.from({ length: 2 * x - 1 + extra }, (_, i) => `y${i}`)
      const ring = orderRing(xs, ys)
      assert.equal(ringOrderViolation(ring), null)
      assert.equal(ring.members.length, x + ys.length)
      // The ring closes on the owner: owner – members[0] … members[last] – owner.
      assert.equal(ring.members[0]?.role, 'Y')
      assert.equal(ring.members[ring.members.length - 1]?.role, 'Y')
      // The terminating node's ring neighbours are Y-nodes, never the owner.
      const t = ring.terminatingIndex
      assert.ok(t > 0 && t < ring.members.length - 1)
      assert.equal(ring.members[t]?.role, 'X')
      assert.deepEqual(new Set(ring.members.map((m) => m.peer)), new Set([...xs, ...ys]))
    }), { numRuns: 300 })
  })

  it('uses both orientations, and the terminating node sits next to the block of x−1 Ys', () => {
    const seen = new Set<boolean>()
    for (let i = 0; i < 64; i++) {
      const ring = orderRing(['a', 'b', 'c'], ['1', '2', '3', '4', '5', '6'])
      seen.add(ring.reversed)
      const roles = ring.members.map((m) => m.role).join('')
      const t = ring.terminatingIndex
      if (ring.reversed) assert.equal(roles.slice(0, t), 'YY')
      else assert.equal(roles.slice(t + 1), 'YY')
    }
    assert.deepEqual(seen, new Set([true, false]))
  })

  it('scatters extra Ys only between X-nodes', () => {
    const ring = orderRing(['a', 'b'], ['1', '2', '3', '4', '5'], { reverse: false })
    assert.equal(ring.members.map((m) => m.role).join(''), 'YXYYYXY')
  })

  it('rejects too few nodes and duplicates; detects broken orders', () => {
    assert.throws(() => orderRing(['a'], ['1', '2', '3']), RangeError)
    assert.throws(() => orderRing(['a', 'b'], ['1', '2']), RangeError)
    assert.throws(() => orderRing(['a', 'b'], ['1', '2', 'a']), RangeError)
    const ring = orderRing(['a', 'b', 'c'], ['1', '2', '3', '4', '5'], { reverse: false })
    const swapped = { ...ring, members: ring.members.slice() }
    ;[swapped.members[0], swapped.members[1]] = [swapped.members[1]!, swapped.members[0]!]
    assert.notEqual(ringOrderViolation(swapped), null)
    assert.notEqual(ringOrderViolation({ ...ring, reversed: true }), null)
    assert.notEqual(ringOrderViolation({ ...ring, terminatingIndex: ring.pathIndices[0]! }), null)
  })
})
