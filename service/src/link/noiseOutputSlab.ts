/**
 * Memory for Noise ciphertexts, laid out the way they go on the wire.
 *
 * libp2p-noise sends each message as its 2-byte length and then its
 * ciphertext, two separate buffers; a frame larger than one Noise message
 * (yamux frames grow to the whole send window) becomes several such pairs.
 * Joining them for one socket write used to cost a copy of every byte sent.
 * Instead, every ciphertext is cut from a slab in order, with two bytes left
 * free in front of it: the length can then be written into those two bytes,
 * and the messages of one send, cut one after another, already lie end to end
 * in memory (see `framedRuns`).
 *
 * The slab is never reused: a region is handed out once, and a slab is
 * dropped (left to the garbage collector, which frees it once no ciphertext
 * cut from it is still referenced) when the next request does not fit.
 * Nothing of a slab is ever sent but regions the encryption wrote in full
 * and the length bytes in front of them.
 */

/** Bytes kept free in front of each ciphertext: Noise's big-endian length prefix. */
export const LENGTH_PREFIX_BYTES = 2

/** Size of one slab: room for about 16 full-size Noise messages. */
export const SLAB_BYTES = 1024 * 1024

/** Ciphertexts cut here (so with two free bytes of ours in front). */
const framed = new WeakSet<Uint8Array>()

let slab: Buffer = Buffer.alloc(0)
let used = 0

/**
 * A new region of `bytes` bytes, with LENGTH_PREFIX_BYTES free bytes in front
 * of it in the same memory. Its content is whatever the slab held: the caller
 * must write all of it.
 */
export function takeFramedOutput (bytes: number): Buffer {
  if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError('bad output size')
  const needed = LENGTH_PREFIX_BYTES + bytes
  if (used + needed > slab.byteLength) {
    slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, needed))
    used = 0
  }
  const region = slab.subarray(used + LENGTH_PREFIX_BYTES, used + needed)
  used += needed
  framed.add(region)
  return region
}

/** True when `view` is a region `takeFramedOutput` handed out (its two bytes in front are free). */
export function hasLengthPrefixRoom (view: Uint8Array): boolean {
  return framed.has(view)
}

/**
 * The messages of one Noise send — parts alternating a 2-byte length and a
 * ciphertext from `takeFramedOutput` — as few views as possible: each length
 * is written into the free bytes in front of its ciphertext, and messages
 * that lie end to end join one view (one view for a whole send unless a slab
 * ran out in the middle). Null when the parts are not of that shape, or a
 * ciphertext did not come from here; nothing is changed then but free bytes.
 */
export function framedRuns (parts: Iterable<Uint8Array>): Uint8Array[] | null {
  const runs: Uint8Array[] = []
  let runBuffer: ArrayBufferLike | null = null
  let runStart = 0
  let runEnd = 0
  let length: Uint8Array | null = null
  for (const part of parts) {
    if (length === null) {
      if (part.byteLength !== LENGTH_PREFIX_BYTES) return null
      length = part
      continue
    }
    if (!framed.has(part)) return null
    const start = part.byteOffset - LENGTH_PREFIX_BYTES
    new Uint8Array(part.buffer, start, LENGTH_PREFIX_BYTES).set(length)
    length = null
    if (runBuffer === part.buffer && runEnd === start) {
      runEnd = part.byteOffset + part.byteLength
      continue
    }
    if (runBuffer !== null) runs.push(new Uint8Array(runBuffer, runStart, runEnd - runStart))
    runBuffer = part.buffer
    runStart = start
    runEnd = part.byteOffset + part.byteLength
  }
  if (length !== null || runBuffer === null) return null
  runs.push(new Uint8Array(runBuffer, runStart, runEnd - runStart))
  return runs
}
