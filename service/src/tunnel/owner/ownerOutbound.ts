import { constantTimeEqual } from '../../crypto/index.js'
import { permuteForward, permuteInverse } from '../blocks/blockPermutation.js'
import { decodeInitBlock } from '../blocks/initBlock.js'
import { makeProbeBlock } from '../blocks/opaqueBlock.js'
import { encodeReplyBlock, type ReplyFields } from '../blocks/replyBlock.js'
import type { LayerObserver } from '../hop/hopTunnel.js'
import type { TunnelKeySet } from '../keys/tunnelKeySet.js'
import { BLOCK_BYTES } from '../tunnelConstants.js'
import { chosenKeys, OwnerTunnel, type OwnerHopView } from './ownerTunnel.js'

/** An outbound tunnel request the owner has sent (step 1) and not yet completed. */
export interface OutboundRequest {
  readonly probe: Buffer
}

export function startOutboundTunnel (): OutboundRequest {
  return { probe: makeProbeBlock() }
}

/** True when the probe that came back is this request's (the probe names the request). */
export function isOwnProbe (request: OutboundRequest, probeBack: Uint8Array): boolean {
  return probeBack.byteLength === BLOCK_BYTES && constantTimeEqual(request.probe, probeBack)
}

export interface OutboundCompletion {
  /** The reply block, layered so that every hop's inverse transform leaves it in clear at Xn. */
  replyOut: Buffer
  tunnel: OwnerTunnel
}

/**
 * Outbound step 6 at the owner, once the search found every hop's key:
 * recomputes what each hop saw (its probe output and the layered
 * initialisation block at its input), builds the reply and layers it
 * R₀ = E₁(E₂(…Eₙ(R))), and sets up the n data layers per direction.
 */
export function completeOutboundTunnel (params: {
  request: OutboundRequest
  hopKeys: readonly TunnelKeySet[]
  keyIndices: readonly number[]
  layeredInit: Uint8Array
  reply: ReplyFields
  observer?: (hop: number) => LayerObserver | undefined
}): OutboundCompletion {
  const keys = chosenKeys(params.hopKeys, params.keyIndices)
  const hops: OwnerHopView[] = []
  let probe: Buffer = Buffer.from(params.request.probe)
  let layer: Buffer = Buffer.from(params.layeredInit)
  keys.forEach((key, i) => {
    probe = permuteForward(key, probe)
    layer = permuteInverse(key, layer)
    hops.push({ key, keyIndex: params.keyIndices[i] as number, firstOut: probe, secondIn: layer })
  })
  const init = decodeInitBlock(layer)
  if (init.kind !== 'outbound') throw new RangeError('not an outbound initialisation block')
  let replyOut = encodeReplyBlock(params.reply, init)
  for (let i = keys.length - 1; i >= 0; i--) replyOut = permuteForward(keys[i] as Buffer, replyOut)
  return { replyOut, tunnel: new OwnerTunnel('outbound', init, hops, params.observer) }
}
