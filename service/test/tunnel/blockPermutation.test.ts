import assert from 'node:assert/strict'
import fc from 'fast-check'
import { blake2b256, randomBytes } from '../../src/crypto/index.js'
import { permuteForward, permuteForwardInto, permuteInverse, permuteInverseInto } from '../../src/tunnel/index.js'

const block = fc.uint8Array({ minLength: 64, maxLength: 64 })
const key = fc.uint8Array({ minLength: 32, maxLength: 32 })

function popcount (a: Uint8Array, b: Uint8Array): number {
  let bits = 0
  for (let i = 0; i < a.length; i++) {
    let x = (a[i] as number) ^ (b[i] as number)
    while (x !== 0) { bits += x & 1; x >>= 1 }
  }
  return bits
}

/** Independent reference of the 4-round Feistel, written from the specification. */
function referenceForward (k: Uint8Array, b: Uint8Array): Buffer {
  let l = Buffer.from(b.subarray(0, 32))
  let r = Buffer.from(b.subarray(32))
  for (let round = 0; round < 4; round++) {
    const f = blake2b256(Buffer.concat([Buffer.from([round]), r]), k)
    const newR = Buffer.alloc(32)
    for (let i = 0; i < 32; i++) newR[i] = (l[i] as number) ^ (f[i] as number)
    l = r
    r = newR
  }
  return Buffer.concat([l, r])
}

describe('block permutation (4-round Feistel, BLAKE2b-256 round function)', () => {
  it('matches the specification (reference implementation)', () => {
    fc.assert(fc.property(key, block, (k, b) => {
      assert.deepEqual(permuteForward(k, b), referenceForward(k, b))
    }), { numRuns: 200 })
  })

  it('inverse ∘ forward = id and forward ∘ inverse = id', () => {
    fc.assert(fc.property(key, block, (k, b) => {
      assert.deepEqual(permuteInverse(k, permuteForward(k, b)), Buffer.from(b))
      assert.deepEqual(permuteForward(k, permuteInverse(k, b)), Buffer.from(b))
    }), { numRuns: 300 })
  })

  it('works in place', () => {
    const k = randomBytes(32)
    const b = randomBytes(64)
    const expected = permuteForward(k, b)
    const copy = Buffer.from(b)
    permuteForwardInto(k, copy, copy)
    assert.deepEqual(copy, expected)
    permuteInverseInto(k, copy, copy)
    assert.deepEqual(copy, b)
  })

  it('one flipped input bit changes about half of all 512 output bits, in both directions', () => {
    for (const direction of [permuteForward, permuteInverse]) {
      let total = 0
      let minimum = 512
      const runs = 400
      for (let run = 0; run < runs; run++) {
        const k = randomBytes(32)
        const b = randomBytes(64)
        const flipped = Buffer.from(b)
        const bit = run % 512
        flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7))
        const d = popcount(direction(k, b), direction(k, flipped))
        total += d
        minimum = Math.min(minimum, d)
      }
      const mean = total / runs
      // Binomial(512, ½): mean 256, σ ≈ 11.3; the mean of 400 runs has σ ≈ 0.57.
      assert.ok(mean > 250 && mean < 262, `mean changed bits ${mean}`)
      assert.ok(minimum > 180, `some flip changed only ${minimum} bits`)
    }
  })

  it('both halves are garbled by a flip in either half', () => {
    const k = randomBytes(32)
    const b = randomBytes(64)
    for (const index of [0, 63]) {
      const f = Buffer.from(b)
      f[index] = (f[index] as number) ^ 0x80
      const out = permuteForward(k, b)
      const outF = permuteForward(k, f)
      assert.ok(popcount(out.subarray(0, 32), outF.subarray(0, 32)) > 60)
      assert.ok(popcount(out.subarray(32), outF.subarray(32)) > 60)
    }
  })

  it('different keys give different outputs (and about half the bits differ)', () => {
    let total = 0
    for (let run = 0; run < 200; run++) {
      const b = randomBytes(64)
      const k1 = randomBytes(32)
      const k2 = Buffer.from(k1)
      k2[run % 32] = (k2[run % 32] as number) ^ 1
      const d = popcount(permuteForward(k1, b), permuteForward(k2, b))
      assert.ok(d > 0)
      total += d
    }
    const mean = total / 200
    assert.ok(mean > 248 && mean < 264, `mean ${mean}`)
  })

  it('rejects wrong sizes', () => {
    assert.throws(() => permuteForward(randomBytes(31), randomBytes(64)), RangeError)
    assert.throws(() => permuteForward(randomBytes(32), randomBytes(63)), RangeError)
    assert.throws(() => permuteInverse(randomBytes(32), randomBytes(65)), RangeError)
  })
})
