import { toBuffer, xchacha20XorIc } from '../../crypto/index.js'

/** Keystream blocks per nonce: sodium-native passes the block counter as uint32. */
export const BLOCKS_PER_NONCE = 2 ** 32
const KEYSTREAM_BLOCK = 64
const NONCE_PREFIX = Buffer.from('phantom-data-v1\0') // 16 bytes

/** Called with every byte range [start, end) of this layer's keystream that was used. */
export type KeystreamObserver = (key: Buffer, start: number, end: number) => void

/**
 * Nonce of keystream epoch e (blocks e·2^32 … (e+1)·2^32 − 1):
 * "phantom-data-v1\0" (16 bytes) ‖ u64 big-endian e.
 *
 * A constant nonce per epoch is safe because every data-layer key is used for
 * exactly one (tunnel, hop, direction) and is itself derived from fresh
 * per-tunnel blocks; the epoch only lifts sodium-native's 32-bit block counter
 * limit (256 GiB) so no (key, nonce, counter) ever repeats within a stream.
 */
export function keystreamNonce (epoch: number): Buffer {
  const nonce = Buffer.alloc(24)
  NONCE_PREFIX.copy(nonce, 0)
  nonce.writeBigUInt64BE(BigInt(epoch), 16)
  return nonce
}

/**
 * One XChaCha20 data layer of one hop in one direction: XORs each chunk with
 * the keystream at the running byte position (crypto_stream_xchacha20_xor_ic).
 * No expansion, no buffering: any chunk size, any offset (not only multiples
 * of 64); a chunk starting inside a keystream block uses the rest of that
 * block. Applying the same layer twice (once at each end) removes it.
 */
export class KeystreamLayer {
  private bytePosition: number
  private readonly key: Buffer
  private readonly scratch = Buffer.alloc(KEYSTREAM_BLOCK)
  private readonly zeros = Buffer.alloc(KEYSTREAM_BLOCK)
  private nonceEpoch = -1
  private nonce: Buffer = Buffer.alloc(24)

  constructor (key: Uint8Array, private readonly options: { startPosition?: number, observer?: KeystreamObserver } = {}) {
    if (key.byteLength !== 32) throw new RangeError('keystream layer key must be 32 bytes')
    this.key = Buffer.from(key)
    this.bytePosition = options.startPosition ?? 0
    if (!Number.isSafeInteger(this.bytePosition) || this.bytePosition < 0) throw new RangeError('bad start position')
  }

  /** Bytes of keystream used so far. */
  get position (): number {
    return this.bytePosition
  }

  private nonceFor (epoch: number): Buffer {
    if (epoch !== this.nonceEpoch) {
      this.nonce = keystreamNonce(epoch)
      this.nonceEpoch = epoch
    }
    return this.nonce
  }

  /** XORs `chunk` in place and advances the position. */
  applyInPlace (chunk: Uint8Array): void {
    this.xorInto(chunk, chunk)
  }

  /** Returns a new buffer: `chunk` XOR keystream; advances the position. */
  apply (chunk: Uint8Array): Buffer {
    // every byte of `out` is written by the XOR below
    const out = Buffer.allocUnsafe(chunk.byteLength)
    this.xorInto(out, chunk)
    return out
  }

  private xorInto (output: Uint8Array, input: Uint8Array): void {
    const length = input.byteLength
    if (this.bytePosition + length > Number.MAX_SAFE_INTEGER) throw new RangeError('keystream exhausted')
    const start = this.bytePosition
    const out = toBuffer(output)
    const inp = toBuffer(input)
    let done = 0
    while (done < length) {
      const block = Math.floor(this.bytePosition / KEYSTREAM_BLOCK)
      const within = this.bytePosition % KEYSTREAM_BLOCK
      const epoch = Math.floor(block / BLOCKS_PER_NONCE)
      const counter = block % BLOCKS_PER_NONCE
      const nonce = this.nonceFor(epoch)
      let n: number
      if (within !== 0) {
        // Partial block: the keystream of this block from `within` on.
        xchacha20XorIc(this.scratch, this.zeros, nonce, counter, this.key)
        n = Math.min(KEYSTREAM_BLOCK - within, length - done)
        for (let i = 0; i < n; i++) out[done + i] = (inp[done + i] as number) ^ (this.scratch[within + i] as number)
      } else {
        // Block-aligned: as many bytes as remain, but never across a nonce epoch.
        n = Math.min(length - done, (BLOCKS_PER_NONCE - counter) * KEYSTREAM_BLOCK)
        xchacha20XorIc(out.subarray(done, done + n), inp.subarray(done, done + n), nonce, counter, this.key)
      }
      done += n
      this.bytePosition += n
    }
    if (length > 0) this.options.observer?.(this.key, start, start + length)
  }
}
