import assert from 'node:assert/strict'
import fc from 'fast-check'
import { randomBytes } from '../../src/crypto/index.js'
import { deriveTunnelKeySet, HopCache, permuteInverse, TunnelHop } from '../../src/tunnel/index.js'

describe('hop cache', () => {
  it('maps a block to its value once (take removes)', () => {
    const cache = new HopCache<number>()
    const b = randomBytes(64)
    assert.equal(cache.add(b, 3), true)
    assert.equal(cache.take(Buffer.from(b)), 3)
    assert.equal(cache.take(b), null)
  })

  it('refuses a block already cached', () => {
    const cache = new HopCache<number>()
    const b = randomBytes(64)
    assert.equal(cache.add(b, 1), true)
    assert.equal(cache.add(b, 2), false)
    assert.equal(cache.take(b), 1)
  })

  it('entries expire after the TTL', () => {
    let now = 1000
    const cache = new HopCache<number>({ ttlMs: 60_000, now: () => now })
    const a = randomBytes(64)
    const b = randomBytes(64)
    cache.add(a, 1)
    now += 30_000
    cache.add(b, 2)
    now += 30_000 // a is exactly 60 s old
    assert.equal(cache.take(a), null)
    assert.equal(cache.take(b), 2)
    assert.equal(cache.size, 0)
  })

  it('is bounded: inserting into a full cache drops the oldest', () => {
    const cache = new HopCache<number>({ maxEntries: 4 })
    const blocks = Array.from({ length: 10 }, () => randomBytes(64))
    blocks.forEach((b, i) => { cache.add(b, i) })
    assert.equal(cache.size, 4)
    assert.equal(cache.take(blocks[5]!), null)
    assert.equal(cache.take(blocks[9]!), 9)
    assert.equal(cache.take(blocks[6]!), 6)
  })

  it('never holds more than maxEntries under any sequence of operations', () => {
    fc.assert(fc.property(fc.array(fc.record({ op: fc.constantFrom('add', 'take', 'tick'), which: fc.integer({ min: 0, max: 9 }) }), { maxLength: 200 }), (ops) => {
      let now = 0
      const cache = new HopCache<number>({ maxEntries: 5, ttlMs: 100, now: () => now })
      const pool = Array.from({ length: 10 }, () => randomBytes(64))
      for (const { op, which } of ops) {
        if (op === 'add') cache.add(pool[which]!, which)
        else if (op === 'take') { const v = cache.take(pool[which]!); if (v != null) assert.equal(v, which) } else now += 30
        assert.ok(cache.size <= 5)
      }
    }), { numRuns: 100 })
  })

  it('take ignores blocks of the wrong size', () => {
    assert.equal(new HopCache<number>().take(randomBytes(63)), null)
  })
})

describe('relay hop (TunnelHop)', () => {
  const keys = deriveTunnelKeySet(randomBytes(32), 8)

  it('transforms with one of its keys and undoes it in the backward step', () => {
    const hop = new TunnelHop(keys)
    const probe = randomBytes(64)
    const out = hop.acceptFirstBlock(probe)!
    assert.ok(keys.some((k) => permuteInverse(k, out).equals(probe)))
    const second = randomBytes(64)
    const step = hop.backwardStep(out, second)!
    assert.deepEqual(step.firstOut, probe)
    assert.deepEqual(permuteInverse(keys[step.tunnel.keyIndex]!, step.secondOut), second)
    assert.equal(hop.backwardStep(out, second), null, 'a cache entry sets up one tunnel only')
  })

  it('picks keys at random (all N keys occur)', () => {
    const hop = new TunnelHop(keys)
    const seen = new Set<number>()
    for (let i = 0; i < 400; i++) {
      const out = hop.acceptFirstBlock(randomBytes(64))!
      seen.add(hop.backwardStep(out, randomBytes(64))!.tunnel.keyIndex)
    }
    assert.equal(seen.size, 8)
  })

  it('drops a replayed block that drew the same key, and unknown or malformed blocks', () => {
    const hop = new TunnelHop(deriveTunnelKeySet(randomBytes(32), 1))
    const probe = randomBytes(64)
    assert.notEqual(hop.acceptFirstBlock(probe), null)
    assert.equal(hop.acceptFirstBlock(probe), null)
    assert.equal(hop.acceptFirstBlock(randomBytes(65)), null)
    assert.equal(hop.backwardStep(randomBytes(64), randomBytes(64)), null)
    assert.equal(hop.backwardStep(randomBytes(64), randomBytes(12)), null)
  })

  it('keeps bounded memory under a flood of first blocks', () => {
    const hop = new TunnelHop(keys, { cache: { maxEntries: 100 } })
    for (let i = 0; i < 1000; i++) hop.acceptFirstBlock(randomBytes(64))
    assert.equal(hop.pendingCount, 100)
  })
})
