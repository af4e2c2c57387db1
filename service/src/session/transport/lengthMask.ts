import { xchacha20Keystream } from '../../crypto/symmetric.js'
import type { NonceUseObserver } from '../noise/cipherState.js'

export const LENGTH_MASK_KEY_BYTES = 32
const XCHACHA20_NONCE_BYTES = 24

/**
 * Per-direction mask of the 2-byte record length (T§6.3, PROTOCOL.md §8):
 * mask(n) = first 2 bytes of XChaCha20(key, nonce = u64le(n) || 16 zero bytes),
 * n = the record's index in this direction (0, 1, 2, …). Each n is used once,
 * so no keystream repeats (invariant 7).
 */
export class LengthMask {
  private next = 0n
  private readonly key: Buffer

  constructor (key: Uint8Array, private readonly observer?: NonceUseObserver) {
    if (key.byteLength !== LENGTH_MASK_KEY_BYTES) throw new RangeError('length mask key must be 32 bytes')
    this.key = Buffer.from(key)
  }

  /** The mask for the next record; advances the counter. */
  nextMask (): number {
    const n = this.next
    this.next += 1n
    this.observer?.(this.key, n)
    const nonce = Buffer.alloc(XCHACHA20_NONCE_BYTES)
    nonce.writeBigUInt64LE(n, 0)
    return xchacha20Keystream(this.key, nonce, 2).readUInt16BE(0)
  }

  destroy (): void {
    this.key.fill(0)
  }
}
