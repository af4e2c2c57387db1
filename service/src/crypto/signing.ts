import { sodium } from './sodium.js'
import { toBuffer } from './constantTime.js'

export const ED25519_PUBLIC_KEY_BYTES = 32
export const ED25519_SECRET_KEY_BYTES = 64
export const ED25519_SEED_BYTES = 32
export const ED25519_SIGNATURE_BYTES = 64

export interface Ed25519KeyPair {
  publicKey: Buffer
  /** libsodium's 64-byte secret key (seed || public key). */
  secretKey: Buffer
}

export function ed25519Generate (): Ed25519KeyPair {
  const publicKey = Buffer.alloc(ED25519_PUBLIC_KEY_BYTES)
  const secretKey = sodium.sodium_malloc(ED25519_SECRET_KEY_BYTES)
  sodium.crypto_sign_keypair(publicKey, secretKey)
  return { publicKey, secretKey }
}

export function ed25519FromSeed (seed: Uint8Array): Ed25519KeyPair {
  if (seed.byteLength !== ED25519_SEED_BYTES) throw new RangeError('ed25519 seed must be 32 bytes')
  const publicKey = Buffer.alloc(ED25519_PUBLIC_KEY_BYTES)
  const secretKey = sodium.sodium_malloc(ED25519_SECRET_KEY_BYTES)
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, toBuffer(seed))
  return { publicKey, secretKey }
}

export function ed25519Sign (message: Uint8Array, secretKey: Uint8Array): Buffer {
  const signature = Buffer.alloc(ED25519_SIGNATURE_BYTES)
  sodium.crypto_sign_detached(signature, toBuffer(message), toBuffer(secretKey))
  return signature
}

/** Never throws: malformed keys or signatures verify as false. */
export function ed25519Verify (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.byteLength !== ED25519_SIGNATURE_BYTES || publicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES) return false
  try {
    return sodium.crypto_sign_verify_detached(toBuffer(signature), toBuffer(message), toBuffer(publicKey))
  } catch {
    return false
  }
}
