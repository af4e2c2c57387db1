import { sodium } from './sodium.js'
import { toBuffer } from './constantTime.js'

export const CHACHAPOLY_IETF_KEY_BYTES = 32
export const CHACHAPOLY_IETF_NONCE_BYTES = 12
export const CHACHAPOLY_IETF_TAG_BYTES = 16

/** The sodium-native functions for IETF ChaCha20-Poly1305 (96-bit nonce), which @types/sodium-native does not describe. */
interface ChaChaPolyIetfBinding {
  crypto_aead_chacha20poly1305_ietf_encrypt: (c: Buffer, m: Buffer, ad: Buffer | null, nsec: null, npub: Buffer, k: Buffer) => number
  crypto_aead_chacha20poly1305_ietf_decrypt: (m: Buffer, nsec: null, c: Buffer, ad: Buffer | null, npub: Buffer, k: Buffer) => number
}

const binding = sodium as unknown as ChaChaPolyIetfBinding

/** ChaCha20-Poly1305 (RFC 8439, 96-bit nonce) encryption: ciphertext || 16-byte tag. */
export function chachaPolyIetfEncrypt (key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array | null = null): Buffer {
  const out = Buffer.alloc(plaintext.byteLength + CHACHAPOLY_IETF_TAG_BYTES)
  binding.crypto_aead_chacha20poly1305_ietf_encrypt(out, toBuffer(plaintext), associatedData == null ? null : toBuffer(associatedData), null, toBuffer(nonce), toBuffer(key))
  return out
}

/** ChaCha20-Poly1305 (RFC 8439) decryption; null when authentication fails or the input is shorter than a tag. */
export function chachaPolyIetfDecrypt (key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, associatedData: Uint8Array | null = null): Buffer | null {
  if (ciphertext.byteLength < CHACHAPOLY_IETF_TAG_BYTES) return null
  const out = Buffer.alloc(ciphertext.byteLength - CHACHAPOLY_IETF_TAG_BYTES)
  try {
    binding.crypto_aead_chacha20poly1305_ietf_decrypt(out, null, toBuffer(ciphertext), associatedData == null ? null : toBuffer(associatedData), toBuffer(nonce), toBuffer(key))
    return out
  } catch {
    return null
  }
}
