import assert from 'node:assert/strict'
import fc from 'fast-check'
import { randomBytes } from '../../src/crypto/index.js'
import { DecodeError } from '../../src/wire/index.js'
import {
  ARRAY_BYTES, ARRAY_SLOTS, decodeSetupMessage, dummySlotFromSeed, encodeSetupMessage, joinSlots, SETUP_MESSAGE_BYTES, SLOT_LEN,
  peelKeys, peelSlot, slotHash, sortSlots, splitArray, transformArray, wrapSlot, type DummyOp
} from '../../src/path/index.js'

const NONE: DummyOp = { kind: 'none' }
const randomArray = (): Buffer[] => sortSlots(Array.from({ length: ARRAY_SLOTS }, () => randomBytes(SLOT_LEN)))

describe('path setup array', () => {
  it('splits only canonical arrays of the exact size', () => {
    const slots = randomArray()
    assert.equal(splitArray(joinSlots(slots)).length, ARRAY_SLOTS)
    assert.throws(() => splitArray(joinSlots(slots).subarray(1)), DecodeError)
    assert.throws(() => splitArray(Buffer.concat([joinSlots(slots), Buffer.alloc(SLOT_LEN)])), DecodeError)
    const swapped = slots.slice(); [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!]
    assert.throws(() => splitArray(joinSlots(swapped)), DecodeError)
    const duplicated = slots.slice(); duplicated[4] = duplicated[3]!
    assert.throws(() => splitArray(joinSlots(duplicated)), DecodeError)
  })

  it('replaces the own slot, applies balanced insert/delete pairs and sorts', () => {
    const slots = randomArray()
    const seed = randomBytes(32); const insertSeed = randomBytes(32)
    const victim = slots[7]!
    const peelKey = randomBytes(32)
    const out = transformArray(slots, 2, seed, [{ kind: 'insert', seed: insertSeed }, NONE, { kind: 'delete', slotHash: slotHash(victim) }, NONE], peelKey)
    assert.ok(out != null)
    assert.equal(out.length, ARRAY_SLOTS)
    // Every slot went through the member's peel permutation: undo it to compare.
    const keys = peelKeys(peelKey)
    const set = new Set(out.map((s) => wrapSlot(s, keys).toString('hex')))
    assert.equal(out.filter((s) => slots.some((t) => t.equals(s))).length, 0)
    assert.ok(set.has(dummySlotFromSeed(seed).toString('hex')))
    assert.ok(set.has(dummySlotFromSeed(insertSeed).toString('hex')))
    assert.ok(!set.has(victim.toString('hex')))
    assert.ok(!set.has(slots[2]!.toString('hex')))
    assert.doesNotThrow(() => splitArray(joinSlots(out)))
  })

  it('refuses unbalanced operations and deletes of absent slots', () => {
    const slots = randomArray()
    assert.equal(transformArray(slots, 0, randomBytes(32), [{ kind: 'insert', seed: randomBytes(32) }, NONE, NONE, NONE], randomBytes(32)), null)
    assert.equal(transformArray(slots, 0, randomBytes(32), [{ kind: 'delete', slotHash: slotHash(slots[1]!) }, NONE, NONE, NONE], randomBytes(32)), null)
    assert.equal(transformArray(slots, 0, randomBytes(32), [{ kind: 'insert', seed: randomBytes(32) }, { kind: 'delete', slotHash: randomBytes(32) }, NONE, NONE], randomBytes(32)), null)
  })

  it('the peel permutation is a keyed permutation: wrap undoes peel, one changed bit changes the whole slot', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: SLOT_LEN, maxLength: SLOT_LEN }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(SLOT_LEN * 8 - 1), (slot, key, bit) => {
      const keys = peelKeys(key)
      const peeled = peelSlot(slot, keys)
      assert.ok(wrapSlot(peeled, keys).equals(Buffer.from(slot)))
      assert.ok(peelSlot(wrapSlot(slot, keys), keys).equals(Buffer.from(slot)))
      const flipped = Buffer.from(slot); flipped[bit >> 3] ^= 1 << (bit & 7)
      const other = peelSlot(flipped, keys)
      // Both halves change (no byte-local malleability that would let slots be linked across a hop).
      assert.ok(!other.subarray(0, 32).equals(peeled.subarray(0, 32)))
      assert.ok(!other.subarray(32).equals(peeled.subarray(32)))
    }), { numRuns: 40 })
    const slot = randomBytes(SLOT_LEN)
    assert.ok(!peelSlot(slot, peelKeys(randomBytes(32))).equals(peelSlot(slot, peelKeys(randomBytes(32)))))
  })

  it('frames setup messages at one fixed size', () => {
    const linkId = randomBytes(32); const array = joinSlots(randomArray())
    const message = encodeSetupMessage(linkId, array)
    assert.equal(message.length, SETUP_MESSAGE_BYTES)
    assert.equal(ARRAY_BYTES, ARRAY_SLOTS * SLOT_LEN)
    const decoded = decodeSetupMessage(message)
    assert.ok(decoded.linkId.equals(linkId) && decoded.arrayBytes.equals(array))
    fc.assert(fc.property(fc.integer({ min: 0, max: SETUP_MESSAGE_BYTES + 64 }), (length) => {
      if (length === SETUP_MESSAGE_BYTES) return
      assert.throws(() => decodeSetupMessage(new Uint8Array(length)), DecodeError)
    }), { numRuns: 50 })
  })
})
