import { sodium, toBuffer } from '../../crypto/index.js'
import { BLOCK_BYTES, FEISTEL_ROUNDS, HALF_BYTES, TUNNEL_KEY_BYTES } from '../tunnelConstants.js'

/**
 * Keyed permutation of one 64-byte block: a balanced 4-round Feistel network
 * over two 32-byte halves (L, R), round function
 *
 *     F(K, r, x) = BLAKE2b-256(key = K, input = r ‖ x)      r = round byte 0..3
 *
 *     forward, round r:  (L, R) ← (R, L ⊕ F(K, r, R))
 *     inverse, round r:  (L, R) ← (R ⊕ F(K, r, L), L)       r = 3..0
 *
 * With a PRF as round function four rounds give a strong pseudo-random
 * permutation (Luby–Rackoff): a change of one bit anywhere garbles the whole
 * block in either direction, so nothing can ride along on a setup block.
 *
 * The hot path (owner key search) calls this millions of times: the functions
 * work on scratch buffers preallocated per thread and allocate only the output.
 */
const roundInput = Buffer.alloc(1 + HALF_BYTES)
const roundOutput = Buffer.alloc(HALF_BYTES)
const left = Buffer.alloc(HALF_BYTES)
const right = Buffer.alloc(HALF_BYTES)

function roundFunction (key: Buffer, round: number, half: Buffer): Buffer {
  roundInput[0] = round
  half.copy(roundInput, 1)
  sodium.crypto_generichash(roundOutput, roundInput, key)
  return roundOutput
}

function xorInto (target: Buffer, mask: Buffer): void {
  for (let i = 0; i < HALF_BYTES; i++) target[i] = (target[i] as number) ^ (mask[i] as number)
}

function check (key: Uint8Array, block: Uint8Array, output: Uint8Array): void {
  if (key.byteLength !== TUNNEL_KEY_BYTES) throw new RangeError(`permutation key must be ${TUNNEL_KEY_BYTES} bytes`)
  if (block.byteLength !== BLOCK_BYTES || output.byteLength !== BLOCK_BYTES) throw new RangeError(`permutation blocks must be ${BLOCK_BYTES} bytes`)
}

/** Forward permutation E_K(block), written into `output` (may be `block`). Returns `output`. */
export function permuteForwardInto (key: Uint8Array, block: Uint8Array, output: Uint8Array): Uint8Array {
  check(key, block, output)
  const k = toBuffer(key)
  const b = toBuffer(block)
  b.copy(left, 0, 0, HALF_BYTES)
  b.copy(right, 0, HALF_BYTES, BLOCK_BYTES)
  let l = left
  let r = right
  for (let round = 0; round < FEISTEL_ROUNDS; round++) {
    xorInto(l, roundFunction(k, round, r)) // l becomes L ⊕ F(R)
    const t = l; l = r; r = t // (L, R) ← (R, L ⊕ F(R))
  }
  const o = toBuffer(output)
  l.copy(o, 0)
  r.copy(o, HALF_BYTES)
  return output
}

/** Inverse permutation D_K(block) = E_K⁻¹(block), written into `output` (may be `block`). Returns `output`. */
export function permuteInverseInto (key: Uint8Array, block: Uint8Array, output: Uint8Array): Uint8Array {
  check(key, block, output)
  const k = toBuffer(key)
  const b = toBuffer(block)
  b.copy(left, 0, 0, HALF_BYTES)
  b.copy(right, 0, HALF_BYTES, BLOCK_BYTES)
  let l = left
  let r = right
  for (let round = FEISTEL_ROUNDS - 1; round >= 0; round--) {
    xorInto(r, roundFunction(k, round, l)) // r becomes R ⊕ F(L) = the earlier L
    const t = r; r = l; l = t // (L, R) ← (R ⊕ F(L), L)
  }
  const o = toBuffer(output)
  l.copy(o, 0)
  r.copy(o, HALF_BYTES)
  return output
}

/** E_K(block) as a new buffer. */
export function permuteForward (key: Uint8Array, block: Uint8Array): Buffer {
  return permuteForwardInto(key, block, Buffer.alloc(BLOCK_BYTES)) as Buffer
}

/** D_K(block) as a new buffer. */
export function permuteInverse (key: Uint8Array, block: Uint8Array): Buffer {
  return permuteInverseInto(key, block, Buffer.alloc(BLOCK_BYTES)) as Buffer
}
