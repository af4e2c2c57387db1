import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Uint8ArrayList } from 'uint8arraylist'
import { framedRuns, hasLengthPrefixRoom, LENGTH_PREFIX_BYTES, SLAB_BYTES, takeFramedOutput } from '../../src/link/noiseOutputSlab.js'

/** What libp2p-noise hands the transport for messages of these sizes: length, ciphertext, length, ciphertext… */
function noiseSend (sizes: number[], fill: (k: number, i: number) => number): { parts: Uint8Array[], wire: Buffer } {
  const parts: Uint8Array[] = []
  const wire: Buffer[] = []
  sizes.forEach((size, k) => {
    const length = Buffer.from([size >> 8, size & 0xff])
    const ciphertext = takeFramedOutput(size)
    for (let i = 0; i < size; i++) ciphertext[i] = fill(k, i)
    parts.push(length, ciphertext)
    wire.push(length, Buffer.from(ciphertext))
  })
  return { parts, wire: Buffer.concat(wire) }
}

describe('link: Noise ciphertexts laid out as on the wire', () => {
  it('hands out regions with two free bytes of its own in front, never the same memory twice', () => {
    const a = takeFramedOutput(100)
    const b = takeFramedOutput(0)
    const c = takeFramedOutput(65535)
    for (const r of [a, b, c]) {
      assert.ok(hasLengthPrefixRoom(r))
      assert.ok(r.byteOffset >= LENGTH_PREFIX_BYTES)
    }
    assert.equal(a.byteLength, 100)
    assert.equal(c.byteLength, 65535)
    // regions cut one after another lie end to end, two bytes apart, unless a new slab began
    if (b.buffer === a.buffer) assert.equal(b.byteOffset, a.byteOffset + a.byteLength + LENGTH_PREFIX_BYTES)
    assert.ok(!hasLengthPrefixRoom(Buffer.alloc(10)), 'only its own regions')
    assert.ok(!hasLengthPrefixRoom(a.subarray(1)), 'not a view into one of them')
    assert.throws(() => takeFramedOutput(-1), RangeError)
    assert.throws(() => takeFramedOutput(1.5), RangeError)
  })

  it('joins the messages of one send into one view of their own memory, lengths written in front', () => {
    const { parts, wire } = noiseSend([300, 65535, 7], (k, i) => (i * 7 + k) & 0xff)
    const runs = framedRuns(parts)
    assert.ok(runs !== null)
    if (runs.length === 1) {
      assert.equal(runs[0]!.buffer, parts[1]!.buffer, 'no copy: the ciphertexts\' own memory')
      assert.ok(Buffer.from(runs[0]!).equals(wire))
    } else {
      // a slab ran out in the middle of this send: the runs in order are still exactly the wire bytes
      assert.ok(Buffer.concat(runs).equals(wire))
    }
  })

  it('splits where a slab ran out, and the runs in order are the wire bytes', () => {
    // fill the current slab nearly to the end, so the next send straddles two slabs
    const probe = takeFramedOutput(0)
    const left = SLAB_BYTES - (probe.byteOffset + LENGTH_PREFIX_BYTES) - 100
    if (left > 0) takeFramedOutput(left)
    const { parts, wire } = noiseSend([60, 60, 60], (k, i) => (i + 3 * k) & 0xff)
    const runs = framedRuns(parts)
    assert.ok(runs !== null)
    assert.equal(runs.length, 2)
    assert.notEqual(runs[0]!.buffer, runs[1]!.buffer)
    assert.ok(Buffer.concat(runs).equals(wire))
  })

  it('answers null for any other shape, or a ciphertext that is not its own', () => {
    const own = takeFramedOutput(10)
    const len = Uint8Array.of(0, 10)
    assert.equal(framedRuns([]), null)
    assert.equal(framedRuns([len]), null, 'a length without its message')
    assert.equal(framedRuns([own]), null, 'a message without its length')
    assert.equal(framedRuns([Uint8Array.of(0, 0, 10), own]), null, 'a length that is not two bytes')
    assert.equal(framedRuns([len, Buffer.alloc(10)]), null, 'memory it did not hand out')
    assert.equal(framedRuns([len, own, len]), null)
  })

  it('reproduces the wire bytes for any sequence of message sizes (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 40 }), fc.nat(255), (sizes, seed) => {
      const { parts, wire } = noiseSend(sizes, (k, i) => (i + seed * k) & 0xff)
      const list = new Uint8ArrayList(...parts)
      const runs = framedRuns(list)
      assert.ok(runs !== null)
      assert.ok(runs.length <= 1 + Math.ceil(wire.byteLength / SLAB_BYTES) + 1)
      assert.ok(Buffer.concat(runs).equals(wire))
    }), { numRuns: 60 })
  })
})
