import { permuteForward, permuteInverse } from '../blocks/blockPermutation.js'
import { decodeInitBlock } from '../blocks/initBlock.js'
import { decodeOpaqueBlock, makeDummyBlock } from '../blocks/opaqueBlock.js'
import { encodeReplyBlock } from '../blocks/replyBlock.js'
import type { LayerObserver } from '../hop/hopTunnel.js'
import type { TunnelKeySet } from '../keys/tunnelKeySet.js'
import { chosenKeys, OwnerTunnel, type OwnerHopView } from './ownerTunnel.js'

export interface InboundAnswer {
  /** The layered initialisation block exactly as it arrived (each hop finds it in its cache). */
  firstOut: Buffer
  /** The reply, layered R₀ = D₁(D₂(…Dₙ(R))) so that every hop's forward transform leaves it in clear at Xn. */
  replyOut: Buffer
  tunnel: OwnerTunnel
}

/**
 * Inbound step at the owner, once the search found every hop's key and the
 * initialisation block names one of its AP addresses: builds the reply
 * (flags, e.g. refused) and the n data layers per direction. The owner then
 * opens the new tunnel stream toward X1 with `firstOut ‖ replyOut`.
 */
export function answerInboundTunnel (params: {
  hopKeys: readonly TunnelKeySet[]
  keyIndices: readonly number[]
  layeredInit: Uint8Array
  flags: number
  observer?: (hop: number) => LayerObserver | undefined
}): InboundAnswer {
  const keys = chosenKeys(params.hopKeys, params.keyIndices)
  const firstOuts: Buffer[] = []
  let layer: Buffer = Buffer.from(params.layeredInit)
  for (const key of keys) {
    firstOuts.push(layer)
    layer = permuteInverse(key, layer)
  }
  const init = decodeInitBlock(layer)
  if (init.kind !== 'inbound') throw new RangeError('not an inbound initialisation block')
  const reply = encodeReplyBlock({ targetApAddress: null, portClass: 0, flags: params.flags }, init)
  let replyOut = reply
  for (let i = keys.length - 1; i >= 0; i--) replyOut = permuteInverse(keys[i] as Buffer, replyOut)
  const hops: OwnerHopView[] = []
  let secondIn = replyOut
  keys.forEach((key, i) => {
    hops.push({ key, keyIndex: params.keyIndices[i] as number, firstOut: firstOuts[i] as Buffer, secondIn })
    secondIn = permuteForward(key, secondIn)
  })
  return { firstOut: Buffer.from(params.layeredInit), replyOut, tunnel: new OwnerTunnel('inbound', init, hops, params.observer) }
}

/** Inbound symmetry step: the dummy from Xn is only checked for size and discarded; the owner answers with a fresh random block. */
export function answerInboundDummy (block: Uint8Array): Buffer {
  decodeOpaqueBlock(block, 'dummy block')
  return makeDummyBlock()
}
