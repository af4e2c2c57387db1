/**
 * The primitives of libp2p's Noise XX (PROTOCOL.md §5) on libsodium through
 * sodium-native, for `noise({ crypto })`: ChaCha20-Poly1305 (IETF, 96-bit
 * nonce), SHA-256, HKDF-SHA256 and X25519. Same results as
 * @chainsafe/libp2p-noise's default (node:crypto, AssemblyScript and
 * @noble) — the wire is unchanged — with fewer allocations and copies per
 * message: each ciphertext is cut from a slab with room for its length in
 * front (noiseOutputSlab.ts, so that coalescedNoise.ts sends it without a
 * copy), and decryption runs in place in the destination libp2p-noise offers.
 */
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'
import { sodium } from '../crypto/sodium.js'
import { randomBytes } from '../crypto/random.js'
import { hmacSha256 } from '../crypto/hmacSha256.js'
import { takeFramedOutput } from './noiseOutputSlab.js'

const TAG_BYTES = 16
const KEY_BYTES = 32
const SHA256_BYTES = 32

/** The sodium-native functions used here that @types/sodium-native does not describe (or describes only for Buffer). */
interface SodiumBinding {
  crypto_aead_chacha20poly1305_ietf_encrypt: (c: Uint8Array, m: Uint8Array, ad: Uint8Array | null, nsec: null, npub: Uint8Array, k: Uint8Array) => number
  crypto_aead_chacha20poly1305_ietf_encrypt_detached: (c: Uint8Array, mac: Uint8Array, m: Uint8Array, ad: Uint8Array | null, nsec: null, npub: Uint8Array, k: Uint8Array) => number
  crypto_aead_chacha20poly1305_ietf_decrypt_detached: (m: Uint8Array, nsec: null, c: Uint8Array, mac: Uint8Array, ad: Uint8Array | null, npub: Uint8Array, k: Uint8Array) => void
  crypto_hash_sha256: (out: Uint8Array, input: Uint8Array) => void
  crypto_hash_sha256_init: (state: Uint8Array) => void
  crypto_hash_sha256_update: (state: Uint8Array, input: Uint8Array) => void
  crypto_hash_sha256_final: (state: Uint8Array, out: Uint8Array) => void
  crypto_hash_sha256_STATEBYTES: number
  crypto_scalarmult_base: (q: Uint8Array, n: Uint8Array) => void
  crypto_scalarmult: (q: Uint8Array, n: Uint8Array, p: Uint8Array) => void
}

const binding = sodium as unknown as SodiumBinding

/** Bytes as libp2p-noise hands them over: one array, or a list of parts (its own uint8arraylist). */
type NoiseBytes = Parameters<ICryptoInterface['hashSHA256']>[0]

export class NoiseDecryptionError extends Error {
  constructor () {
    super('Invalid chacha20poly1305 decryption')
    this.name = 'NoiseDecryptionError'
  }
}

/** One contiguous view of the bytes: the array itself, or a copy of the list's parts. */
function contiguous (data: NoiseBytes): Uint8Array {
  return data instanceof Uint8Array ? data : data.subarray()
}

function sha256 (data: NoiseBytes): Uint8Array {
  const out = Buffer.allocUnsafe(SHA256_BYTES)
  if (data instanceof Uint8Array) {
    binding.crypto_hash_sha256(out, data)
    return out
  }
  const state = Buffer.allocUnsafe(binding.crypto_hash_sha256_STATEBYTES)
  binding.crypto_hash_sha256_init(state)
  for (const part of data) binding.crypto_hash_sha256_update(state, part)
  binding.crypto_hash_sha256_final(state, out)
  return out
}

/** HKDF-SHA256 (RFC 5869) with salt = chaining key and empty info, 96 bytes: Noise's HKDF with three outputs. */
function hkdf (chainingKey: Uint8Array, inputKeyMaterial: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const prk = hmacSha256(chainingKey, inputKeyMaterial)
  const k1 = hmacSha256(prk, Uint8Array.of(1))
  const k2 = hmacSha256(prk, k1, Uint8Array.of(2))
  const k3 = hmacSha256(prk, k2, Uint8Array.of(3))
  prk.fill(0)
  return [k1, k2, k3]
}

function publicKeyOf (privateKey: Uint8Array): Uint8Array {
  if (privateKey.byteLength !== KEY_BYTES) throw new RangeError('X25519 private key must be 32 bytes')
  const publicKey = Buffer.allocUnsafe(KEY_BYTES)
  binding.crypto_scalarmult_base(publicKey, privateKey)
  return publicKey
}

function encrypt (plaintext: NoiseBytes, nonce: Uint8Array, ad: Uint8Array, k: Uint8Array): Uint8Array {
  const length = plaintext.byteLength
  const out = takeFramedOutput(length + TAG_BYTES)
  if (plaintext instanceof Uint8Array) {
    binding.crypto_aead_chacha20poly1305_ietf_encrypt(out, plaintext, ad, null, nonce, k)
    return out
  }
  // gather the parts into the output, then encrypt there in place (one copy instead of two)
  let at = 0
  for (const part of plaintext) { out.set(part, at); at += part.byteLength }
  const body = out.subarray(0, length)
  binding.crypto_aead_chacha20poly1305_ietf_encrypt_detached(body, out.subarray(length), body, ad, null, nonce, k)
  return out
}

function decrypt (ciphertext: NoiseBytes, nonce: Uint8Array, ad: Uint8Array, k: Uint8Array, dst?: Uint8Array): Uint8Array {
  const length = ciphertext.byteLength - TAG_BYTES
  if (length < 0) throw new NoiseDecryptionError()
  let out: Uint8Array
  let body: Uint8Array
  let tag: Uint8Array
  if (!(ciphertext instanceof Uint8Array) && dst != null && dst.byteLength === length) {
    // A message that arrived in several reads. libp2p-noise passes as `dst`
    // the ciphertext's body already gathered into one buffer; decrypt there in
    // place rather than gather it a second time. libsodium checks the tag over
    // the bytes it is given, so were `dst` ever anything but the body, the
    // message would fail to decrypt, never decrypt to something else.
    out = dst
    body = dst
    tag = ciphertext.subarray(length)
  } else {
    const sealed = contiguous(ciphertext)
    // libsodium checks the tag before it writes a byte, so `dst` may be the ciphertext's own memory
    out = dst != null && dst.byteLength === length ? dst : Buffer.allocUnsafe(length)
    body = sealed.subarray(0, length)
    tag = sealed.subarray(length)
  }
  try {
    binding.crypto_aead_chacha20poly1305_ietf_decrypt_detached(out, null, body, tag, ad, nonce, k)
  } catch {
    throw new NoiseDecryptionError()
  }
  return out
}

export const sodiumNoiseCrypto: ICryptoInterface = {
  hashSHA256: sha256,
  getHKDF: hkdf,
  generateX25519KeyPair () {
    const privateKey = randomBytes(KEY_BYTES)
    return { publicKey: publicKeyOf(privateKey), privateKey }
  },
  generateX25519KeyPairFromSeed (seed) {
    return { publicKey: publicKeyOf(seed), privateKey: seed }
  },
  generateX25519SharedKey (privateKey, publicKey) {
    const shared = Buffer.allocUnsafe(KEY_BYTES)
    // throws on a low-order public key (all-zero result), as the default implementation does
    binding.crypto_scalarmult(shared, contiguous(privateKey), contiguous(publicKey))
    return shared
  },
  chaCha20Poly1305Encrypt: encrypt,
  chaCha20Poly1305Decrypt: decrypt
}
