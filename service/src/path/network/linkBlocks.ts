/**
 * Fixed-size blocks of /phantom/link/2.0.0 (PROTOCOL.md §5, §6 "Linking").
 * Every block on a link stream is LINK_BLOCK_BYTES long. The first block from
 * the opener is the hello: the 32-byte link ID of the edge (both ends know
 * it), then 32 zero bytes (reserved). After that one ready block crosses the
 * path each way.
 *
 * Ready blocks: the owner and the terminating node each send one, toward the
 * other end; which of them starts is the owner's random choice, told to the
 * terminating node alone. Every relay XORs its own layer onto a ready block
 * it forwards, in either direction, so a relay does the same thing whichever
 * side a block comes from. The owner, who knows every hop's key seed and link
 * IDs, sends `ownerCheck(T) ⊕ relay layers` so that the terminating node
 * receives exactly `ownerCheck(T)`, and expects `terminalReady(T) ⊕ relay
 * layers` back. Only the real terminating node can produce or check its
 * layers, and two colluding non-adjacent hops do not see the same bytes.
 */
import { blake2b } from '../../crypto/index.js'
import { DecodeError } from '../../wire/index.js'
import { LINK_ID_BYTES } from '../setup/constants.js'
import { isAllZero } from '../setup/peerRef.js'

export const LINK_BLOCK_BYTES = 64
const RELAY_DOMAIN = Buffer.from('phantom-path-ready-v2/relay', 'ascii')
const TERMINAL_DOMAIN = Buffer.from('phantom-path-ready-v2/terminating', 'ascii')
const OWNER_CHECK_DOMAIN = Buffer.from('phantom-path-ready-v2/owner', 'ascii')

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

/**
 * A relay's layer, the same for both directions: BLAKE2b-512(key = keySeed,
 * domain ‖ the two link IDs in byte order). The order of the link IDs is
 * canonical, so the relay needs no notion of "toward the owner".
 */
export function relayReadyLayer (keySeed: Uint8Array, linkA: Uint8Array, linkB: Uint8Array): Buffer {
  const [low, high] = Buffer.compare(linkA, linkB) <= 0 ? [linkA, linkB] : [linkB, linkA]
  return blake2b([RELAY_DOMAIN, low, high], { key: keySeed, outputLength: LINK_BLOCK_BYTES })
}

/** The block the terminating node sends toward the owner. */
export function terminalReady (keySeed: Uint8Array, linkId: Uint8Array): Buffer {
  return blake2b([TERMINAL_DOMAIN, linkId], { key: keySeed, outputLength: LINK_BLOCK_BYTES })
}

/** What the terminating node must receive from the owner, once every relay added its layer. */
export function ownerCheck (keySeed: Uint8Array, linkId: Uint8Array): Buffer {
  return blake2b([OWNER_CHECK_DOMAIN, linkId], { key: keySeed, outputLength: LINK_BLOCK_BYTES })
}

export function xorBlocks (a: Uint8Array, b: Uint8Array): Buffer {
  if (a.byteLength !== b.byteLength) throw new RangeError('xorBlocks: lengths differ')
  const out = Buffer.alloc(a.byteLength)
  for (let i = 0; i < out.length; i++) out[i] = (a[i] as number) ^ (b[i] as number)
  return out
}

/** A path's X-nodes as the owner knows them, in path order (the last is the terminating node). */
export interface ReadyHop {
  keySeed: Uint8Array
  linkIn: Uint8Array
  linkOut: Uint8Array | null
}

function relayLayers (hops: readonly ReadyHop[]): Buffer {
  let block: Buffer = Buffer.alloc(LINK_BLOCK_BYTES)
  for (const hop of hops.slice(0, -1)) {
    if (hop.linkOut == null) throw new RangeError('a relay has two edges')
    block = xorBlocks(block, relayReadyLayer(hop.keySeed, hop.linkIn, hop.linkOut))
  }
  return block
}

function terminatingOf (hops: readonly ReadyHop[]): ReadyHop {
  const t = hops[hops.length - 1]
  if (t == null) throw new RangeError('a path has at least one hop')
  return t
}

/** The ready block the owner sends on its edge to X1. */
export function ownerReadyBlock (hops: readonly ReadyHop[]): Buffer {
  const t = terminatingOf(hops)
  return xorBlocks(relayLayers(hops), ownerCheck(t.keySeed, t.linkIn))
}

/** The ready block the owner must receive on its edge to X1. */
export function expectedReadyBlock (hops: readonly ReadyHop[]): Buffer {
  const t = terminatingOf(hops)
  return xorBlocks(relayLayers(hops), terminalReady(t.keySeed, t.linkIn))
}
