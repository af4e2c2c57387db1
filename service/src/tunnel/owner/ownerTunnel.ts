import { permuteInverse } from '../blocks/blockPermutation.js'
import { decodeConfirmationBlock } from '../blocks/confirmationBlock.js'
import type { InitBlock } from '../blocks/initBlock.js'
import { deriveDataLayerKey, layerDirection, type DataDirection } from '../data/dataLayerKey.js'
import { KeystreamLayer } from '../data/keystreamLayer.js'
import { LayerStack } from '../data/layerStack.js'
import type { LayerObserver } from '../hop/hopTunnel.js'
import type { TunnelKeySet } from '../keys/tunnelKeySet.js'

/** What the owner computed for one hop: its chosen key and the two setup blocks its data keys come from. */
export interface OwnerHopView {
  key: Buffer
  keyIndex: number
  firstOut: Buffer
  secondIn: Buffer
}

/** The chosen keys of every hop, looked up in the owner's key sets. */
export function chosenKeys (hopKeys: readonly TunnelKeySet[], keyIndices: readonly number[]): Buffer[] {
  if (hopKeys.length !== keyIndices.length) throw new RangeError('one key index per hop')
  return keyIndices.map((j, i) => {
    const key = hopKeys[i]?.[j]
    if (key == null) throw new RangeError(`hop ${i + 1} has no key ${j}`)
    return key
  })
}

/**
 * The owner's end of an established tunnel: all n data layers per direction
 * (outward = toward the terminating node, inward = back), and the chosen keys
 * for the remaining setup blocks.
 */
export class OwnerTunnel {
  readonly outward: LayerStack
  readonly inward: LayerStack

  constructor (readonly kind: 'outbound' | 'inbound', readonly init: InitBlock, private readonly hops: readonly OwnerHopView[], observer?: (hop: number) => LayerObserver | undefined) {
    const stack = (direction: DataDirection): LayerStack => new LayerStack(hops.map((h, i) => {
      const observe = observer?.(i)
      return new KeystreamLayer(deriveDataLayerKey(h.key, direction, h.firstOut, h.secondIn), {
        observer: observe == null ? undefined : (k, start, end) => { observe(direction, k, start, end) }
      })
    }))
    this.outward = stack(layerDirection(kind, 'outward'))
    this.inward = stack(layerDirection(kind, 'inward'))
  }

  get keyIndices (): number[] {
    return this.hops.map((h) => h.keyIndex)
  }

  /** Data for the terminating node: adds all n outward layers (in place). */
  sealOutwardInPlace (chunk: Uint8Array): void {
    this.outward.applyInPlace(chunk)
  }

  /** Data from the terminating node: removes all n inward layers (in place). */
  openInwardInPlace (chunk: Uint8Array): void {
    this.inward.applyInPlace(chunk)
  }

  /** Outbound: true when the layered block is Xn's confirmation for this tunnel. */
  checkConfirmation (block: Uint8Array): boolean {
    let b: Buffer = Buffer.from(block)
    for (const hop of this.hops) b = permuteInverse(hop.key, b)
    try {
      decodeConfirmationBlock(b, this.init)
      return true
    } catch {
      return false
    }
  }
}
