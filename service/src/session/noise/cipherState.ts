import { chachaPolyIetfDecrypt, chachaPolyIetfEncrypt, CHACHAPOLY_IETF_NONCE_BYTES } from '../../crypto/chachaPolyIetf.js'
import { chachaPolyIetfDecryptInto, chachaPolyIetfEncryptInPlace } from '../../crypto/chachaPolyIetfDetached.js'

export const NOISE_KEY_BYTES = 32
/** 2^64 - 1: reserved by Noise (rev 34 §5.1), never used to encrypt a message; REKEY uses it. */
export const NOISE_MAX_NONCE = 0xffffffffffffffffn

/** Observes every (key, nonce) pair a CipherState encrypts under; for instrumented tests of nonce uniqueness. */
export type NonceUseObserver = (key: Buffer, nonce: bigint) => void

export class NonceExhaustedError extends Error {
  constructor () {
    super('Noise cipher state: nonce space exhausted')
    this.name = 'NonceExhaustedError'
  }
}

export class DecryptionFailedError extends Error {
  constructor () {
    super('Noise cipher state: authentication failed')
    this.name = 'DecryptionFailedError'
  }
}

/** ChaChaPoly nonce: 32 bits of zeros followed by the 64-bit little-endian counter (Noise rev 34 §12.3). */
export function chachaPolyNonce (n: bigint): Buffer {
  const nonce = Buffer.alloc(CHACHAPOLY_IETF_NONCE_BYTES)
  nonce.writeBigUInt64LE(n, 4)
  return nonce
}

/**
 * Noise CipherState (rev 34 §5.1) with cipher ChaChaPoly. `k` empty means
 * "no key": EncryptWithAd / DecryptWithAd pass the data through unchanged.
 */
export class CipherState {
  private k: Buffer | null = null
  private n = 0n
  private destroyed = false

  constructor (key: Uint8Array | null = null, private readonly observer?: NonceUseObserver) {
    if (key != null) this.initializeKey(key)
  }

  initializeKey (key: Uint8Array): void {
    if (key.byteLength !== NOISE_KEY_BYTES) throw new RangeError('Noise cipher key must be 32 bytes')
    this.k?.fill(0)
    this.k = Buffer.from(key)
    this.n = 0n
  }

  hasKey (): boolean {
    return this.k != null
  }

  /** The next nonce this state will use. */
  get nonce (): bigint {
    return this.n
  }

  setNonce (nonce: bigint): void {
    if (nonce < 0n || nonce > NOISE_MAX_NONCE) throw new RangeError('Noise nonce out of range')
    this.n = nonce
  }

  encryptWithAd (associatedData: Uint8Array, plaintext: Uint8Array): Buffer {
    this.assertUsable()
    if (this.k == null) return Buffer.from(plaintext)
    if (this.n >= NOISE_MAX_NONCE) throw new NonceExhaustedError()
    this.observer?.(this.k, this.n)
    const ciphertext = chachaPolyIetfEncrypt(this.k, chachaPolyNonce(this.n), plaintext, associatedData)
    this.n += 1n
    return ciphertext
  }

  /** Throws DecryptionFailedError on a bad tag; the nonce then does not advance. */
  decryptWithAd (associatedData: Uint8Array, ciphertext: Uint8Array): Buffer {
    this.assertUsable()
    if (this.k == null) return Buffer.from(ciphertext)
    if (this.n >= NOISE_MAX_NONCE) throw new NonceExhaustedError()
    const plaintext = chachaPolyIetfDecrypt(this.k, chachaPolyNonce(this.n), ciphertext, associatedData)
    if (plaintext == null) throw new DecryptionFailedError()
    this.n += 1n
    return plaintext
  }

  /**
   * EncryptWithAd without copies, for the record layer: `data` becomes the
   * ciphertext in place and the tag is written to `tag` (same bytes as
   * encryptWithAd's ciphertext || tag). Needs a key.
   */
  encryptInPlaceWithAd (associatedData: Uint8Array, data: Uint8Array, tag: Uint8Array): void {
    this.assertUsable()
    if (this.k == null) throw new Error('Noise cipher state: in-place encryption needs a key')
    if (this.n >= NOISE_MAX_NONCE) throw new NonceExhaustedError()
    this.observer?.(this.k, this.n)
    chachaPolyIetfEncryptInPlace(this.k, chachaPolyNonce(this.n), data, tag, associatedData)
    this.n += 1n
  }

  /**
   * DecryptWithAd into `out` (as long as `ciphertext`, tag apart), for the
   * record layer. Throws DecryptionFailedError on a bad tag; the nonce then
   * does not advance and `out` holds no plaintext. Needs a key.
   */
  decryptIntoWithAd (associatedData: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, out: Uint8Array): void {
    this.assertUsable()
    if (this.k == null) throw new Error('Noise cipher state: decryption into a buffer needs a key')
    if (this.n >= NOISE_MAX_NONCE) throw new NonceExhaustedError()
    if (!chachaPolyIetfDecryptInto(this.k, chachaPolyNonce(this.n), ciphertext, tag, out, associatedData)) throw new DecryptionFailedError()
    this.n += 1n
  }

  /** Noise REKEY (rev 34 §4.2 / §11.3): k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes). n is unchanged. */
  rekey (): void {
    this.assertUsable()
    if (this.k == null) throw new Error('Noise cipher state: cannot rekey without a key')
    const next = chachaPolyIetfEncrypt(this.k, chachaPolyNonce(NOISE_MAX_NONCE), Buffer.alloc(NOISE_KEY_BYTES), Buffer.alloc(0)).subarray(0, NOISE_KEY_BYTES)
    this.k.fill(0)
    this.k = Buffer.from(next)
    next.fill(0)
  }

  /** Wipes the key; the state then refuses to work (it never falls back to "no key" pass-through). */
  destroy (): void {
    this.k?.fill(0)
    this.k = null
    this.destroyed = true
  }

  private assertUsable (): void {
    if (this.destroyed) throw new Error('Noise cipher state: used after destroy')
  }
}
