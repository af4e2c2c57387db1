/**
 * The setup array: always exactly ARRAY_SLOTS slots of SLOT_LEN bytes in
 * canonical order (strictly increasing bytewise). Fixed count and size mean a
 * member's view never depends on its position, role or the orientation; the
 * canonical order means slot order cannot carry a covert signal.
 */
import { blake2b256, xchacha20Keystream } from '../../crypto/index.js'
import { DecodeError } from '../../wire/index.js'
import { ARRAY_BYTES, ARRAY_SLOTS, DUMMY_OPS, SLOT_LEN } from './constants.js'
import type { DummyOp } from './dummyOp.js'
import { peelKeys, peelSlot } from './slotPermutation.js'

/** Nonce of every dummy/replacement keystream; seeds are single-use random values. */
const DUMMY_NONCE = Buffer.alloc(24)
Buffer.from('phantom-dummy-slot-v1', 'ascii').copy(DUMMY_NONCE)

/** The SLOT_LEN-byte keystream slot of a seed (replacement or inserted dummy). */
export function dummySlotFromSeed (seed: Uint8Array): Buffer {
  return xchacha20Keystream(seed, DUMMY_NONCE, SLOT_LEN)
}

/** The hash that names a slot in a delete operation. */
export function slotHash (slot: Uint8Array): Buffer {
  return blake2b256(slot)
}

export function compareSlots (a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b)
}

export function sortSlots (slots: Buffer[]): Buffer[] {
  return slots.sort(compareSlots)
}

/** Concatenates slots (caller keeps them in canonical order). */
export function joinSlots (slots: readonly Uint8Array[]): Buffer {
  return Buffer.concat(slots)
}

/**
 * Splits untrusted array bytes strictly: exact length, then strictly
 * increasing order. Length is checked before anything else so oversize
 * input costs nothing.
 */
export function splitArray (bytes: Uint8Array): Buffer[] {
  if (bytes.byteLength !== ARRAY_BYTES) throw new DecodeError(`setup array: must be ${ARRAY_BYTES} bytes, got ${bytes.byteLength}`)
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const slots: Buffer[] = []
  for (let i = 0; i < ARRAY_SLOTS; i++) {
    const slot = view.subarray(i * SLOT_LEN, (i + 1) * SLOT_LEN)
    if (i > 0 && compareSlots(slots[i - 1] as Buffer, slot) >= 0) throw new DecodeError('setup array: slots not in strictly increasing order')
    slots.push(slot)
  }
  return slots
}

/** BLAKE2b-256 of the concatenation of every slot except `ownIndex`, in the given (canonical) order. */
export function hashOfOthers (slots: readonly Uint8Array[], ownIndex: number): Buffer {
  return blake2b256(slots.filter((_, i) => i !== ownIndex))
}

/**
 * What every member does to the array after the checks: replace its own slot
 * with keystream from its replacement seed, apply its dummy operations in
 * order (insert appends a keystream slot; delete removes the slot with the
 * named hash, which must exist), apply its peel permutation to every slot,
 * then sort. Returns null when a delete names no slot, the count changed or
 * two slots collide. Shared by members and by the owner's prediction so both
 * compute byte-identical arrays.
 */
export function transformArray (slots: readonly Buffer[], ownIndex: number, replacementSeed: Uint8Array, ops: readonly DummyOp[], peelKey: Uint8Array): Buffer[] | null {
  if (ops.length !== DUMMY_OPS || ownIndex < 0 || ownIndex >= slots.length) return null
  const out = slots.slice()
  out[ownIndex] = dummySlotFromSeed(replacementSeed)
  for (const op of ops) {
    if (op.kind === 'insert') {
      out.push(dummySlotFromSeed(op.seed))
    } else if (op.kind === 'delete') {
      const index = out.findIndex((slot) => slotHash(slot).equals(op.slotHash))
      if (index < 0) return null
      out.splice(index, 1)
    }
  }
  if (out.length !== ARRAY_SLOTS) return null
  const keys = peelKeys(peelKey)
  for (let i = 0; i < out.length; i++) out[i] = peelSlot(out[i] as Buffer, keys)
  sortSlots(out)
  for (let i = 1; i < out.length; i++) {
    if (compareSlots(out[i - 1] as Buffer, out[i] as Buffer) === 0) return null
  }
  return out
}
