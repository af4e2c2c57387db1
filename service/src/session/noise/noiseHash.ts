import { blake2b, sha256 } from '../../crypto/hash.js'
import { hmac, type HmacHash } from '../../crypto/hmacSha256.js'

/** A Noise hash function (Noise rev 34 §4.3): HASH, HASHLEN, BLOCKLEN, and HKDF built on its HMAC. */
export interface NoiseHash {
  name: 'SHA256' | 'BLAKE2b'
  hashLength: number
  blockLength: number
  /** HASH of the concatenated inputs. */
  digest: (inputs: Uint8Array[]) => Buffer
}

export const NOISE_SHA256: NoiseHash = {
  name: 'SHA256',
  hashLength: 32,
  blockLength: 64,
  digest: (inputs) => sha256(inputs.length === 1 ? inputs[0] as Uint8Array : Buffer.concat(inputs))
}

export const NOISE_BLAKE2B: NoiseHash = {
  name: 'BLAKE2b',
  hashLength: 64,
  blockLength: 128,
  digest: (inputs) => blake2b(inputs, { outputLength: 64 })
}

export function noiseHashByName (name: string): NoiseHash {
  if (name === 'SHA256') return NOISE_SHA256
  if (name === 'BLAKE2b') return NOISE_BLAKE2B
  throw new Error(`unsupported Noise hash function: ${name}`)
}

/**
 * Noise HKDF (rev 34 §4.3): temp = HMAC(chainingKey, ikm); out1 = HMAC(temp, 0x01);
 * out_i = HMAC(temp, out_{i-1} || i). Returns `count` (2 or 3) outputs of HASHLEN bytes.
 */
export function noiseHkdf (hash: NoiseHash, chainingKey: Uint8Array, inputKeyMaterial: Uint8Array, count: 2 | 3): Buffer[] {
  const h: HmacHash = { digest: hash.digest, blockLength: hash.blockLength }
  const tempKey = hmac(h, chainingKey, [inputKeyMaterial])
  const outputs: Buffer[] = []
  let previous: Buffer = Buffer.alloc(0)
  for (let i = 1; i <= count; i++) {
    previous = hmac(h, tempKey, [previous, Buffer.from([i])])
    outputs.push(previous)
  }
  tempKey.fill(0)
  return outputs
}
