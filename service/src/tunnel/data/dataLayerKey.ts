import { blake2b256 } from '../../crypto/index.js'
import { BLOCK_BYTES, TUNNEL_KEY_BYTES } from '../tunnelConstants.js'

/** Data directions: outward = owner → terminating node, inward = terminating node → owner. */
export type DataDirection = 'outward' | 'inward'
export const DIRECTION_OUTWARD = 0x01
export const DIRECTION_INWARD = 0x02
const DATA_KEY_LABEL = Buffer.from('phantom-data-v1')

/**
 * Key of one hop's data layer in one direction of one tunnel:
 *
 *     BLAKE2b-256(key = K[chosen], input = "phantom-data-v1" ‖ direction ‖ firstOut ‖ secondIn)
 *
 * firstOut = the hop's output of the first setup block (its cache entry: the
 * probe outbound, the initialisation block inbound); secondIn = the second
 * setup block at the input of the hop's transform (the layered initialisation
 * block outbound, the layered reply inbound). Both are 64 bytes the owner can
 * recompute after the search. The direction byte separates the two directions;
 * firstOut is fresh random per tunnel (the owner's probe, or Xn's random
 * initialisation block), and secondIn adds randomness from the other end.
 */
export function deriveDataLayerKey (tunnelKey: Uint8Array, direction: DataDirection, firstOut: Uint8Array, secondIn: Uint8Array): Buffer {
  if (tunnelKey.byteLength !== TUNNEL_KEY_BYTES) throw new RangeError('tunnel key must be 32 bytes')
  if (firstOut.byteLength !== BLOCK_BYTES || secondIn.byteLength !== BLOCK_BYTES) throw new RangeError('setup blocks must be 64 bytes')
  const dir = Buffer.from([direction === 'outward' ? DIRECTION_OUTWARD : DIRECTION_INWARD])
  return blake2b256([DATA_KEY_LABEL, dir, firstOut, secondIn], tunnelKey)
}
