import { sodium } from './sodium.js'
import { toBuffer } from './constantTime.js'
import { CHACHAPOLY_IETF_TAG_BYTES } from './chachaPolyIetf.js'

/** The detached IETF ChaCha20-Poly1305 functions of sodium-native, which @types/sodium-native does not describe. */
interface ChaChaPolyIetfDetachedBinding {
  crypto_aead_chacha20poly1305_ietf_encrypt_detached: (c: Buffer, mac: Buffer, m: Buffer, ad: Buffer | null, nsec: null, npub: Buffer, k: Buffer) => number
  crypto_aead_chacha20poly1305_ietf_decrypt_detached: (m: Buffer, nsec: null, c: Buffer, mac: Buffer, ad: Buffer | null, npub: Buffer, k: Buffer) => void
}

const binding = sodium as unknown as ChaChaPolyIetfDetachedBinding

/**
 * ChaCha20-Poly1305 (RFC 8439) encryption in place: `data` becomes its
 * ciphertext and the 16-byte tag is written to `tag` (which must not overlap
 * `data`). Same bytes as chachaPolyIetfEncrypt's ciphertext || tag.
 */
export function chachaPolyIetfEncryptInPlace (key: Uint8Array, nonce: Uint8Array, data: Uint8Array, tag: Uint8Array, associatedData: Uint8Array | null = null): void {
  if (tag.byteLength !== CHACHAPOLY_IETF_TAG_BYTES) throw new RangeError('tag must be 16 bytes')
  const d = toBuffer(data)
  binding.crypto_aead_chacha20poly1305_ietf_encrypt_detached(d, toBuffer(tag), d, associatedData == null ? null : toBuffer(associatedData), null, toBuffer(nonce), toBuffer(key))
}

/**
 * ChaCha20-Poly1305 (RFC 8439) decryption of `ciphertext` (tag excluded)
 * into `out` (same length; may be the ciphertext's own memory). The tag is
 * checked before anything is written; false when it does not verify (then
 * `out` holds no plaintext).
 */
export function chachaPolyIetfDecryptInto (key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, out: Uint8Array, associatedData: Uint8Array | null = null): boolean {
  if (out.byteLength !== ciphertext.byteLength) throw new RangeError('output must be as long as the ciphertext')
  if (tag.byteLength !== CHACHAPOLY_IETF_TAG_BYTES) return false
  try {
    binding.crypto_aead_chacha20poly1305_ietf_decrypt_detached(toBuffer(out), null, toBuffer(ciphertext), toBuffer(tag), associatedData == null ? null : toBuffer(associatedData), toBuffer(nonce), toBuffer(key))
    return true
  } catch {
    return false
  }
}
