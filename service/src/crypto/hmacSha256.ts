import { sha256 } from './hash.js'

/** A hash function as HMAC sees it: digest of the concatenated inputs, and its block length in bytes. */
export interface HmacHash {
  digest: (inputs: Uint8Array[]) => Buffer
  blockLength: number
}

const IPAD = 0x36
const OPAD = 0x5c

/** HMAC (RFC 2104) over any hash; the inputs are concatenated as the message. */
export function hmac (hash: HmacHash, key: Uint8Array, inputs: Uint8Array[]): Buffer {
  const block = Buffer.alloc(hash.blockLength)
  if (key.byteLength > hash.blockLength) block.set(hash.digest([key]))
  else block.set(key)
  const inner = Buffer.alloc(hash.blockLength)
  const outer = Buffer.alloc(hash.blockLength)
  for (let i = 0; i < hash.blockLength; i++) {
    const b = block[i] as number
    inner[i] = b ^ IPAD
    outer[i] = b ^ OPAD
  }
  block.fill(0)
  const innerDigest = hash.digest([inner, ...inputs])
  inner.fill(0)
  const result = hash.digest([outer, innerDigest])
  outer.fill(0)
  return result
}

export const SHA256_BLOCK_BYTES = 64

/** SHA-256 as an HMAC hash (inputs concatenated, then sodium's crypto_hash_sha256). */
export const sha256HmacHash: HmacHash = {
  digest: (inputs) => sha256(inputs.length === 1 ? inputs[0] as Uint8Array : Buffer.concat(inputs)),
  blockLength: SHA256_BLOCK_BYTES
}

/** HMAC-SHA256 (RFC 2104 / RFC 4231). */
export function hmacSha256 (key: Uint8Array, ...inputs: Uint8Array[]): Buffer {
  return hmac(sha256HmacHash, key, inputs)
}
