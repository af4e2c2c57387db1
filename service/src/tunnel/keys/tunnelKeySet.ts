import { kdfDerive } from '../../crypto/index.js'
import { KEY_COUNT_MAX, KEY_COUNT_MIN, KEY_SEED_BYTES, TUNNEL_KEY_BYTES, TUNNEL_KEY_CONTEXT } from '../tunnelConstants.js'

/** The N tunnel keys of one X-node: K[j] = crypto_kdf_derive_from_key(32, j, "PHNTKEYS", keySeed). */
export type TunnelKeySet = readonly Buffer[]

export function checkKeyCount (keyCount: number): void {
  if (!Number.isInteger(keyCount) || keyCount < KEY_COUNT_MIN || keyCount > KEY_COUNT_MAX) {
    throw new RangeError(`tunnel key count must be an integer in ${KEY_COUNT_MIN}..${KEY_COUNT_MAX}, got ${keyCount}`)
  }
}

/** Derives K[0..N-1] from the key seed an X-node received in round 2 (the owner derives the same sets). */
export function deriveTunnelKeySet (keySeed: Uint8Array, keyCount: number): TunnelKeySet {
  if (keySeed.byteLength !== KEY_SEED_BYTES) throw new RangeError(`key seed must be ${KEY_SEED_BYTES} bytes`)
  checkKeyCount(keyCount)
  const keys: Buffer[] = []
  for (let j = 0; j < keyCount; j++) keys.push(kdfDerive(keySeed, j, TUNNEL_KEY_CONTEXT, TUNNEL_KEY_BYTES))
  return Object.freeze(keys)
}
