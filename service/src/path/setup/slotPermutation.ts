/**
 * The per-hop re-randomisation of slots: a keyed wide-block permutation of
 * one SLOT_LEN-byte slot (LIONESS: two stream-cipher rounds and two
 * keyed-hash rounds over a 32-byte left half and the rest). Every member
 * applies `peelSlot` with its own peel key to every slot before sorting, so
 * no slot crosses an honest member unchanged and two colluding members can
 * no longer compare their arrays to count the members between them
 * (reference notes §11.3, "round-1 arrays are static ciphertexts"). The owner
 * pre-wraps each member's slot with the inverse permutation of every member
 * before it.
 */
import { blake2b256, kdfDerive, xchacha20XorIc } from '../../crypto/index.js'
import { SEED_BYTES, SLOT_LEN } from './constants.js'

const HALF = 32
const STREAM_NONCE = Buffer.alloc(24)
Buffer.from('phantom-slot-peel-v1', 'ascii').copy(STREAM_NONCE)

export interface PeelKeys { k1: Buffer, k2: Buffer, k3: Buffer, k4: Buffer }

export function peelKeys (peelKey: Uint8Array): PeelKeys {
  if (peelKey.byteLength !== SEED_BYTES) throw new RangeError('peel key must be 32 bytes')
  return { k1: kdfDerive(peelKey, 1, 'PHNTPEEL'), k2: kdfDerive(peelKey, 2, 'PHNTPEEL'), k3: kdfDerive(peelKey, 3, 'PHNTPEEL'), k4: kdfDerive(peelKey, 4, 'PHNTPEEL') }
}

function xorInto (target: Buffer, mask: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) ^ (mask[i] as number)
}

function streamRound (left: Buffer, right: Buffer, key: Buffer): void {
  const streamKey = Buffer.from(left)
  xorInto(streamKey, key)
  xchacha20XorIc(right, right, STREAM_NONCE, 0, streamKey)
}

function hashRound (left: Buffer, right: Buffer, key: Buffer): void {
  xorInto(left, blake2b256(right, key))
}

/** The permutation a member applies to every slot. Returns a new buffer. */
export function peelSlot (slot: Uint8Array, keys: PeelKeys): Buffer {
  if (slot.byteLength !== SLOT_LEN) throw new RangeError('peelSlot: wrong slot length')
  const out = Buffer.from(slot)
  const left = out.subarray(0, HALF); const right = out.subarray(HALF)
  streamRound(left, right, keys.k1)
  hashRound(left, right, keys.k2)
  streamRound(left, right, keys.k3)
  hashRound(left, right, keys.k4)
  return out
}

/** The inverse of `peelSlot` (owner side). */
export function wrapSlot (slot: Uint8Array, keys: PeelKeys): Buffer {
  if (slot.byteLength !== SLOT_LEN) throw new RangeError('wrapSlot: wrong slot length')
  const out = Buffer.from(slot)
  const left = out.subarray(0, HALF); const right = out.subarray(HALF)
  hashRound(left, right, keys.k4)
  streamRound(left, right, keys.k3)
  hashRound(left, right, keys.k2)
  streamRound(left, right, keys.k1)
  return out
}
