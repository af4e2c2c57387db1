import assert from 'node:assert/strict'
import fc from 'fast-check'
import { randomBytes, xchacha20Keystream, xchacha20XorIc } from '../../src/crypto/index.js'
import { BLOCKS_PER_NONCE, deriveDataLayerKey, KeystreamLayer, keystreamNonce } from '../../src/tunnel/index.js'

/** Reference: keystream bytes [start, start+length) computed block by block from (key, nonce(epoch), counter). */
function referenceKeystream (key: Buffer, start: number, length: number): Buffer {
  const out = Buffer.alloc(length)
  const zero = Buffer.alloc(64)
  const block = Buffer.alloc(64)
  for (let p = start; p < start + length;) {
    const b = Math.floor(p / 64)
    xchacha20XorIc(block, zero, keystreamNonce(Math.floor(b / BLOCKS_PER_NONCE)), b % BLOCKS_PER_NONCE, key)
    const within = p % 64
    const n = Math.min(64 - within, start + length - p)
    block.copy(out, p - start, within, within + n)
    p += n
  }
  return out
}

describe('data layer keystream', () => {
  it('equals XChaCha20 with nonce "phantom-data-v1\\0" ‖ u64 0 from byte 0', () => {
    const key = randomBytes(32)
    const layer = new KeystreamLayer(key)
    const ks = layer.apply(Buffer.alloc(1000))
    assert.deepEqual(ks, xchacha20Keystream(key, Buffer.concat([Buffer.from('phantom-data-v1\0'), Buffer.alloc(8)]), 1000))
  })

  it('gives the same bytes for any chunking, including offsets not multiple of 64', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 20 }), (sizes) => {
      const key = randomBytes(32)
      const total = sizes.reduce((a, b) => a + b, 0)
      const data = randomBytes(total)
      const whole = new KeystreamLayer(key).apply(data)
      const layer = new KeystreamLayer(key)
      const parts: Buffer[] = []
      let o = 0
      for (const s of sizes) { parts.push(layer.apply(data.subarray(o, o + s))); o += s }
      assert.deepEqual(Buffer.concat(parts), whole)
      assert.equal(layer.position, total)
    }), { numRuns: 200 })
  })

  it('in place and copying agree; applying twice removes the layer', () => {
    const key = randomBytes(32)
    const data = randomBytes(777)
    const a = new KeystreamLayer(key).apply(data)
    const b = Buffer.from(data)
    new KeystreamLayer(key).applyInPlace(b)
    assert.deepEqual(a, b)
    new KeystreamLayer(key).applyInPlace(b)
    assert.deepEqual(b, data)
  })

  it('crosses a nonce epoch (2^32 keystream blocks) seamlessly, in any chunking', () => {
    const key = randomBytes(32)
    const boundary = BLOCKS_PER_NONCE * 64
    fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.array(fc.integer({ min: 1, max: 150 }), { minLength: 1, maxLength: 6 }), (back, sizes) => {
      const start = boundary - back
      const layer = new KeystreamLayer(key, { startPosition: start })
      const total = sizes.reduce((a, b) => a + b, 0)
      const out: Buffer[] = []
      for (const s of sizes) out.push(layer.apply(Buffer.alloc(s)))
      assert.deepEqual(Buffer.concat(out), referenceKeystream(key, start, total))
    }), { numRuns: 100 })
    // and the two epochs really use different nonces
    assert.notDeepEqual(referenceKeystream(key, boundary, 64), referenceKeystream(key, 0, 64))
  })

  it('reports every range it uses to the observer', () => {
    const uses: Array<[number, number]> = []
    const layer = new KeystreamLayer(randomBytes(32), { observer: (_k, s, e) => { uses.push([s, e]) } })
    layer.apply(Buffer.alloc(10))
    layer.apply(Buffer.alloc(0))
    layer.apply(Buffer.alloc(100))
    assert.deepEqual(uses, [[0, 10], [10, 110]])
  })

  it('derives distinct keys per direction and per setup blocks', () => {
    const k = randomBytes(32)
    const a = randomBytes(64)
    const b = randomBytes(64)
    const keys = [
      deriveDataLayerKey(k, 'along', a, b), deriveDataLayerKey(k, 'against', a, b),
      deriveDataLayerKey(k, 'along', b, a), deriveDataLayerKey(randomBytes(32), 'along', a, b)
    ].map((x) => x.toString('hex'))
    assert.equal(new Set(keys).size, 4)
    assert.throws(() => deriveDataLayerKey(k, 'along', a, randomBytes(63)), RangeError)
  })
})
