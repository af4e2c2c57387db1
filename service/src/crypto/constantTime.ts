import { sodium } from './sodium.js'

/** Constant-time equality for secrets (keys, MACs, link IDs). Unequal lengths are simply unequal. */
export function constantTimeEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  if (a.byteLength === 0) return true
  return sodium.sodium_memcmp(toBuffer(a), toBuffer(b))
}

/** A Buffer view of the same memory (no copy). */
export function toBuffer (bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
