/**
 * Fixed-size blocks of /phantom/link/1.0.0 (PROTOCOL.md §5, §6 "Linking").
 * Every block on a link stream is LINK_BLOCK_BYTES long. The first block from
 * the opener is the hello: the 32-byte link ID the receiver expects from its
 * final predecessor, then 32 zero bytes (reserved). The answer travelling back
 * toward the owner is the ready block.
 *
 * Ready block: the terminating node sends readyLayer(its key seed, its link
 * in); every other X-node XORs its own readyLayer onto the block before
 * passing it back, so the owner, who knows every hop's key seed and link ID,
 * expects the XOR of all hops' layers. Only the real terminating node can
 * produce the innermost layer, and two colluding non-adjacent hops do not see
 * the same bytes.
 */
import { blake2b } from '../../crypto/index.js'
import { DecodeError } from '../../wire/index.js'
import { LINK_ID_BYTES } from '../setup/constants.js'
import { isAllZero } from '../setup/peerRef.js'

export const LINK_BLOCK_BYTES = 64
const READY_DOMAIN = Buffer.from('phantom-path-ready-v1', 'ascii')

export function encodeLinkHello (linkId: Uint8Array): Buffer {
  if (linkId.byteLength !== LINK_ID_BYTES) throw new RangeError('link hello: link ID must be 32 bytes')
  const out = Buffer.alloc(LINK_BLOCK_BYTES)
  Buffer.from(linkId).copy(out, 0)
  return out
}

/** Strict: exactly LINK_BLOCK_BYTES, reserved half all zero, link ID not all zero. */
export function decodeLinkHello (block: Uint8Array): Buffer {
  if (block.byteLength !== LINK_BLOCK_BYTES) throw new DecodeError(`link hello: must be ${LINK_BLOCK_BYTES} bytes, got ${block.byteLength}`)
  const view = Buffer.from(block.buffer, block.byteOffset, block.byteLength)
  const linkId = Buffer.from(view.subarray(0, LINK_ID_BYTES))
  if (!isAllZero(view.subarray(LINK_ID_BYTES))) throw new DecodeError('link hello: reserved bytes not zero')
  if (isAllZero(linkId)) throw new DecodeError('link hello: all-zero link ID')
  return linkId
}

/** One hop's ready layer: BLAKE2b-512(key = keySeed, "phantom-path-ready-v1" || linkIn). */
export function readyLayer (keySeed: Uint8Array, linkIn: Uint8Array): Buffer {
  return blake2b([READY_DOMAIN, linkIn], { key: keySeed, outputLength: LINK_BLOCK_BYTES })
}

export function xorBlocks (a: Uint8Array, b: Uint8Array): Buffer {
  if (a.byteLength !== b.byteLength) throw new RangeError('xorBlocks: lengths differ')
  const out = Buffer.alloc(a.byteLength)
  for (let i = 0; i < out.length; i++) out[i] = (a[i] as number) ^ (b[i] as number)
  return out
}

/** What the owner expects back on its link to X1: the XOR of every hop's ready layer. */
export function expectedReadyBlock (hops: ReadonlyArray<{ keySeed: Uint8Array, linkIn: Uint8Array }>): Buffer {
  let block: Buffer = Buffer.alloc(LINK_BLOCK_BYTES)
  for (const hop of hops) block = xorBlocks(block, readyLayer(hop.keySeed, hop.linkIn))
  return block
}
