import { permuteForward, permuteInverse } from '../blocks/blockPermutation.js'
import { deriveDataLayerKey, layerDirection, type DataDirection, type DataFlow } from '../data/dataLayerKey.js'
import { KeystreamLayer, type KeystreamObserver } from '../data/keystreamLayer.js'

/** Reports keystream use together with the layer's direction (instrumentation for invariant 7). */
export type LayerObserver = (direction: DataDirection, key: Buffer, start: number, end: number) => void

/**
 * What one hop (relay or terminating node) holds for one established tunnel:
 * the chosen key and one data layer per direction.
 *
 * Setup blocks after the two-block exchange (the reply/confirmation of an
 * outbound tunnel, the two dummies of an inbound one) are named by the
 * direction of the *first* setup block, so a relay runs the same code for both
 * kinds of tunnel: a block travelling the way the first block travelled gets
 * the inverse permutation, a block travelling back gets the forward one.
 */
export class HopTunnel {
  /** Data travelling the way the first setup block travelled. */
  readonly along: KeystreamLayer
  /** Data travelling back. */
  readonly against: KeystreamLayer

  constructor (readonly keyIndex: number, private readonly key: Buffer, firstOut: Uint8Array, secondIn: Uint8Array, observer?: LayerObserver) {
    const observe = (direction: DataDirection): KeystreamObserver | undefined =>
      observer == null ? undefined : (k, start, end) => { observer(direction, k, start, end) }
    this.along = new KeystreamLayer(deriveDataLayerKey(key, 'along', firstOut, secondIn), { observer: observe('along') })
    this.against = new KeystreamLayer(deriveDataLayerKey(key, 'against', firstOut, secondIn), { observer: observe('against') })
  }

  /** A setup block moving the way the first setup block moved (D_K). */
  blockAlongSetup (block: Uint8Array): Buffer {
    return permuteInverse(this.key, block)
  }

  /** A setup block moving against the first setup block (E_K). */
  blockAgainstSetup (block: Uint8Array): Buffer {
    return permuteForward(this.key, block)
  }

  layer (direction: DataDirection): KeystreamLayer {
    return direction === 'along' ? this.along : this.against
  }

  /** At an end of the tunnel, which knows its kind: the layer of data flowing `flow`. */
  flowing (kind: 'outbound' | 'inbound', flow: DataFlow): KeystreamLayer {
    return this.layer(layerDirection(kind, flow))
  }
}
