import { sodium } from './sodium.js'
import { toBuffer } from './constantTime.js'

export const XCHACHA20POLY1305_KEY_BYTES = 32
export const XCHACHA20POLY1305_NONCE_BYTES = 24
export const AEAD_TAG_BYTES = 16

/** XChaCha20-Poly1305 (IETF) encryption. */
export function xchacha20poly1305Encrypt (key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array | null = null): Buffer {
  const out = Buffer.alloc(plaintext.byteLength + AEAD_TAG_BYTES)
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, toBuffer(plaintext), associatedData == null ? null : toBuffer(associatedData), null, toBuffer(nonce), toBuffer(key))
  return out
}

/** XChaCha20-Poly1305 (IETF) decryption; null when authentication fails. */
export function xchacha20poly1305Decrypt (key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, associatedData: Uint8Array | null = null): Buffer | null {
  if (ciphertext.byteLength < AEAD_TAG_BYTES) return null
  const out = Buffer.alloc(ciphertext.byteLength - AEAD_TAG_BYTES)
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(out, null, toBuffer(ciphertext), associatedData == null ? null : toBuffer(associatedData), toBuffer(nonce), toBuffer(key))
    return out
  } catch {
    return null
  }
}

/** `length` bytes of XChaCha20 keystream for (key, nonce). */
export function xchacha20Keystream (key: Uint8Array, nonce: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length)
  sodium.crypto_stream_xchacha20(out, toBuffer(nonce), toBuffer(key))
  return out
}

/** XOR `input` with the XChaCha20 keystream starting at 64-byte block `blockCounter`, into `output`. */
export function xchacha20XorIc (output: Uint8Array, input: Uint8Array, nonce: Uint8Array, blockCounter: number, key: Uint8Array): void {
  sodium.crypto_stream_xchacha20_xor_ic(toBuffer(output), toBuffer(input), toBuffer(nonce), blockCounter, toBuffer(key))
}

/** crypto_kdf_derive_from_key: subkey `id` of `masterKey` under an 8-byte context. */
export function kdfDerive (masterKey: Uint8Array, id: number, context: string, length = 32): Buffer {
  if (Buffer.byteLength(context) !== 8) throw new RangeError('kdf context must be 8 bytes')
  const out = sodium.sodium_malloc(length)
  sodium.crypto_kdf_derive_from_key(out, id, Buffer.from(context), toBuffer(masterKey))
  return out
}
