import assert from 'node:assert/strict'
import { kdfDerive, randomBytes } from '../../src/crypto/index.js'
import { deriveTunnelKeySet, KEY_COUNT_MAX } from '../../src/tunnel/index.js'

describe('tunnel key sets', () => {
  it('K[j] is crypto_kdf_derive_from_key(32, j, "PHNTKEYS", seed)', () => {
    const seed = randomBytes(32)
    const keys = deriveTunnelKeySet(seed, 5)
    assert.equal(keys.length, 5)
    keys.forEach((k, j) => { assert.deepEqual(k, kdfDerive(seed, j, 'PHNTKEYS', 32)) })
  })

  it('is deterministic per seed and distinct across indices and seeds', () => {
    const seed = randomBytes(32)
    const a = deriveTunnelKeySet(seed, 16)
    const b = deriveTunnelKeySet(seed, 16)
    const c = deriveTunnelKeySet(randomBytes(32), 16)
    assert.deepEqual(a.map((k) => k.toString('hex')), b.map((k) => k.toString('hex')))
    const all = new Set([...a, ...c].map((k) => k.toString('hex')))
    assert.equal(all.size, 32)
  })

  it('rejects bad seeds and counts', () => {
    assert.throws(() => deriveTunnelKeySet(randomBytes(31), 4), RangeError)
    assert.throws(() => deriveTunnelKeySet(randomBytes(32), 0), RangeError)
    assert.throws(() => deriveTunnelKeySet(randomBytes(32), KEY_COUNT_MAX + 1), RangeError)
    assert.throws(() => deriveTunnelKeySet(randomBytes(32), 2.5), RangeError)
  })
})
