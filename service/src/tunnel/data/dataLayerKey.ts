import { blake2b256 } from '../../crypto/index.js'
import { BLOCK_BYTES, TUNNEL_KEY_BYTES } from '../tunnelConstants.js'

/**
 * Direction of a data layer, named after the tunnel's first setup block: data
 * travelling the way that block travelled (`along`) or back (`against`). A
 * relay knows only this, never which way the owner is; the first block of an
 * outbound tunnel (the probe) travels outward, that of an inbound one (the
 * initialisation block) inward.
 */
export type DataDirection = 'along' | 'against'
/** Owner → terminating node, or back: only the ends of a tunnel know this. */
export type DataFlow = 'outward' | 'inward'
export const DIRECTION_ALONG = 0x01
export const DIRECTION_AGAINST = 0x02

/** The layer direction of data flowing `flow` in a tunnel of `kind`. */
export function layerDirection (kind: 'outbound' | 'inbound', flow: DataFlow): DataDirection {
  return (kind === 'outbound') === (flow === 'outward') ? 'along' : 'against'
}
const DATA_KEY_LABEL = Buffer.from('phantom-data-v1')

/**
 * Key of one hop's data layer in one direction of one tunnel:
 *
 *     BLAKE2b-256(key = K[chosen], input = "phantom-data-v1" ‖ direction ‖ firstOut ‖ secondIn)
 *
 * with direction 0x01 along the first setup block and 0x02 against it.
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
  const dir = Buffer.from([direction === 'along' ? DIRECTION_ALONG : DIRECTION_AGAINST])
  return blake2b256([DATA_KEY_LABEL, dir, firstOut, secondIn], tunnelKey)
}
