import { randomBytes } from '../../crypto/index.js'
import { DecodeError } from '../../wire/index.js'
import { BLOCK_BYTES } from '../tunnelConstants.js'

/**
 * Probe and dummy blocks carry nothing: 64 uniformly random bytes. The codec
 * only enforces the size (any 64 bytes are a valid probe or dummy).
 */
export function makeProbeBlock (): Buffer {
  return randomBytes(BLOCK_BYTES)
}

export function makeDummyBlock (): Buffer {
  return randomBytes(BLOCK_BYTES)
}

/** A copy of exactly one block; DecodeError for any other length. */
export function decodeOpaqueBlock (bytes: Uint8Array, what = 'tunnel block'): Buffer {
  if (bytes.byteLength !== BLOCK_BYTES) throw new DecodeError(`${what}: must be ${BLOCK_BYTES} bytes, got ${bytes.byteLength}`)
  return Buffer.from(bytes)
}
