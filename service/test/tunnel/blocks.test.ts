import assert from 'node:assert/strict'
import fc from 'fast-check'
import { DecodeError } from '../../src/wire/index.js'
import {
  buildInitBlock, decodeConfirmationBlock, decodeInitBlock, decodeOpaqueBlock, decodeReplyBlock, encodeConfirmationBlock, encodeReplyBlock,
  hasComplementPair, initBlockProblem, makeDummyBlock, makeProbeBlock, REPLY_FLAG_REFUSED, type InitBlock
} from '../../src/tunnel/index.js'
import { randomApAddress } from './tunnelChain.js'

const anyBytes = fc.uint8Array({ minLength: 0, maxLength: 130 })
const block64 = fc.uint8Array({ minLength: 64, maxLength: 64 })

/** Decoding must either succeed or throw DecodeError, nothing else. */
function onlyDecodeErrors (fn: () => unknown): boolean {
  try {
    fn()
    return true
  } catch (err) {
    assert.ok(err instanceof DecodeError, `unexpected ${String(err)}`)
    return false
  }
}

/** A valid block with one byte changed. */
const mutation = fc.record({ index: fc.integer({ min: 0, max: 63 }), xor: fc.integer({ min: 1, max: 255 }) })
function mutate (b: Buffer, m: { index: number, xor: number }): Buffer {
  const c = Buffer.from(b)
  c[m.index] = (c[m.index] as number) ^ m.xor
  return c
}

describe('tunnel setup blocks', () => {
  describe('initialisation block', () => {
    it('outbound: builds, decodes, layout as documented', () => {
      const init = buildInitBlock('outbound')
      assert.equal(init.bytes.length, 64)
      assert.ok(hasComplementPair(init.bytes))
      assert.equal(init.bytes[16], 0x01)
      assert.ok(init.bytes.subarray(17, 33).every((b) => b === 0))
      const d = decodeInitBlock(init.bytes)
      assert.equal(d.kind, 'outbound')
      assert.equal(d.apAddress, null)
      assert.deepEqual(d.bytes, init.bytes)
    })

    it('inbound: carries the AP address', () => {
      const ap = randomApAddress()
      const init = buildInitBlock('inbound', ap)
      assert.equal(init.bytes[16], 0x02)
      const d = decodeInitBlock(init.bytes)
      assert.equal(d.kind, 'inbound')
      assert.deepEqual(d.apAddress, ap)
      assert.throws(() => buildInitBlock('inbound', Buffer.alloc(16)), RangeError)
    })

    it('two blocks are never equal (fresh randomness)', () => {
      assert.notDeepEqual(buildInitBlock('outbound').bytes, buildInitBlock('outbound').bytes)
    })

    it('any single-byte change is rejected with a DecodeError', () => {
      fc.assert(fc.property(fc.boolean(), mutation, (inbound, m) => {
        const init = inbound ? buildInitBlock('inbound', randomApAddress()) : buildInitBlock('outbound')
        assert.throws(() => decodeInitBlock(mutate(init.bytes, m)), DecodeError)
      }), { numRuns: 300 })
    })

    it('random bytes: only DecodeError, and never accepted', () => {
      fc.assert(fc.property(anyBytes, (b) => {
        assert.equal(onlyDecodeErrors(() => decodeInitBlock(b)), false)
        assert.notEqual(initBlockProblem(b), null)
      }), { numRuns: 500 })
      fc.assert(fc.property(block64, (b) => { assert.equal(onlyDecodeErrors(() => decodeInitBlock(b)), false) }), { numRuns: 500 })
    })

    it('a block with a valid complement pair but a bad check field is rejected', () => {
      fc.assert(fc.property(block64, (b) => {
        const c = Buffer.from(b)
        for (let i = 0; i < 8; i++) c[8 + i] = ~(c[i] as number) & 0xff
        assert.ok(hasComplementPair(c))
        assert.throws(() => decodeInitBlock(c), DecodeError)
      }), { numRuns: 300 })
    })
  })

  describe('reply block', () => {
    const outInit = (): InitBlock => buildInitBlock('outbound')
    it('outbound round trip', () => {
      const init = outInit()
      const target = randomApAddress()
      const r = encodeReplyBlock({ targetApAddress: target, portClass: 7, flags: 0 }, init)
      assert.equal(r.length, 64)
      assert.equal(r[0], 0x03)
      assert.deepEqual(decodeReplyBlock(r, init), { targetApAddress: target, portClass: 7, flags: 0 })
    })

    it('inbound round trip (flags only)', () => {
      const init = buildInitBlock('inbound', randomApAddress())
      const r = encodeReplyBlock({ targetApAddress: null, portClass: 0, flags: REPLY_FLAG_REFUSED }, init)
      assert.deepEqual(decodeReplyBlock(r, init), { targetApAddress: null, portClass: 0, flags: REPLY_FLAG_REFUSED })
      assert.throws(() => encodeReplyBlock({ targetApAddress: randomApAddress(), portClass: 0, flags: 0 }, init), RangeError)
    })

    it('is bound to its initialisation block', () => {
      const init = outInit()
      const r = encodeReplyBlock({ targetApAddress: randomApAddress(), portClass: 1, flags: 0 }, init)
      assert.throws(() => decodeReplyBlock(r, outInit()), DecodeError)
    })

    it('rejects bad fields when encoding', () => {
      const init = outInit()
      assert.throws(() => encodeReplyBlock({ targetApAddress: Buffer.alloc(16), portClass: 1, flags: 0 }, init), RangeError)
      assert.throws(() => encodeReplyBlock({ targetApAddress: randomApAddress(), portClass: 256, flags: 0 }, init), RangeError)
      assert.throws(() => encodeReplyBlock({ targetApAddress: randomApAddress(), portClass: 1, flags: 0x02 }, init), RangeError)
    })

    it('mutations and random bytes: only DecodeError', () => {
      const init = outInit()
      const valid = encodeReplyBlock({ targetApAddress: randomApAddress(), portClass: 1, flags: 0 }, init)
      fc.assert(fc.property(mutation, (m) => { assert.throws(() => decodeReplyBlock(mutate(valid, m), init), DecodeError) }), { numRuns: 300 })
      fc.assert(fc.property(anyBytes, (b) => { assert.equal(onlyDecodeErrors(() => decodeReplyBlock(b, init)), false) }), { numRuns: 500 })
    })
  })

  describe('confirmation block', () => {
    it('round trip, bound to the initialisation block, strict', () => {
      const init = buildInitBlock('outbound')
      const c = encodeConfirmationBlock(init)
      assert.equal(c[0], 0x04)
      decodeConfirmationBlock(c, init)
      assert.throws(() => decodeConfirmationBlock(c, buildInitBlock('outbound')), DecodeError)
      fc.assert(fc.property(mutation, (m) => { assert.throws(() => decodeConfirmationBlock(mutate(c, m), init), DecodeError) }), { numRuns: 200 })
      fc.assert(fc.property(anyBytes, (b) => { assert.equal(onlyDecodeErrors(() => decodeConfirmationBlock(b, init)), false) }), { numRuns: 300 })
    })
  })

  describe('probe and dummy blocks', () => {
    it('are 64 random bytes; the codec accepts exactly 64 bytes', () => {
      assert.equal(makeProbeBlock().length, 64)
      assert.notDeepEqual(makeProbeBlock(), makeProbeBlock())
      assert.equal(makeDummyBlock().length, 64)
      fc.assert(fc.property(anyBytes, (b) => {
        const ok = onlyDecodeErrors(() => decodeOpaqueBlock(b))
        assert.equal(ok, b.length === 64)
      }), { numRuns: 300 })
    })
  })
})
