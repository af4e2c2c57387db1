import { sodium } from './sodium.js'
import { toBuffer } from './constantTime.js'

/** BLAKE2b with the given output length (default 32 bytes), optionally keyed. Inputs are concatenated. */
export function blake2b (inputs: Uint8Array | Uint8Array[], options: { key?: Uint8Array, outputLength?: number } = {}): Buffer {
  const out = Buffer.alloc(options.outputLength ?? 32)
  const parts = Array.isArray(inputs) ? inputs : [inputs]
  const key = options.key != null ? toBuffer(options.key) : undefined
  if (parts.length === 1) {
    if (key != null) sodium.crypto_generichash(out, toBuffer(parts[0] as Uint8Array), key)
    else sodium.crypto_generichash(out, toBuffer(parts[0] as Uint8Array))
    return out
  }
  if (key != null) sodium.crypto_generichash_batch(out, parts.map(toBuffer), key)
  else sodium.crypto_generichash_batch(out, parts.map(toBuffer))
  return out
}

/** BLAKE2b-256. */
export function blake2b256 (inputs: Uint8Array | Uint8Array[], key?: Uint8Array): Buffer {
  return key != null ? blake2b(inputs, { key }) : blake2b(inputs)
}

/** SHA-256 (used only where a protocol names it, e.g. Noise_..._SHA256). */
export function sha256 (input: Uint8Array): Buffer {
  const out = Buffer.alloc(sodium.crypto_hash_sha256_BYTES)
  sodium.crypto_hash_sha256(out, toBuffer(input))
  return out
}
