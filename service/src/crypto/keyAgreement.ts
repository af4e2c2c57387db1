import { sodium } from './sodium.js'
import { toBuffer } from './constantTime.js'

export const X25519_KEY_BYTES = 32

export interface X25519KeyPair {
  publicKey: Buffer
  secretKey: Buffer
}

export function x25519Generate (): X25519KeyPair {
  const publicKey = Buffer.alloc(sodium.crypto_box_PUBLICKEYBYTES)
  const secretKey = sodium.sodium_malloc(sodium.crypto_box_SECRETKEYBYTES)
  sodium.crypto_box_keypair(publicKey, secretKey)
  return { publicKey, secretKey }
}

/** The public key of an X25519 secret key. */
export function x25519PublicFromSecret (secretKey: Uint8Array): Buffer {
  const publicKey = Buffer.alloc(X25519_KEY_BYTES)
  sodium.crypto_scalarmult_base(publicKey, toBuffer(secretKey))
  return publicKey
}

/** Raw X25519 Diffie–Hellman. Throws on a low-order public key (all-zero output). */
export function x25519 (secretKey: Uint8Array, publicKey: Uint8Array): Buffer {
  const shared = sodium.sodium_malloc(X25519_KEY_BYTES)
  sodium.crypto_scalarmult(shared, toBuffer(secretKey), toBuffer(publicKey))
  return shared
}

export const SEALED_BOX_OVERHEAD = 48

/** crypto_box_seal: anonymous public-key encryption to `recipientPublicKey`. */
export function sealedBoxSeal (message: Uint8Array, recipientPublicKey: Uint8Array): Buffer {
  const out = Buffer.alloc(message.byteLength + sodium.crypto_box_SEALBYTES)
  sodium.crypto_box_seal(out, toBuffer(message), toBuffer(recipientPublicKey))
  return out
}

/** Opens a sealed box; null when it is not for this key pair or was altered. */
export function sealedBoxOpen (ciphertext: Uint8Array, keyPair: X25519KeyPair): Buffer | null {
  if (ciphertext.byteLength < sodium.crypto_box_SEALBYTES) return null
  const out = Buffer.alloc(ciphertext.byteLength - sodium.crypto_box_SEALBYTES)
  try {
    return sodium.crypto_box_seal_open(out, toBuffer(ciphertext), keyPair.publicKey, keyPair.secretKey) ? out : null
  } catch {
    return null
  }
}
