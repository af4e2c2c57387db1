import type { KeystreamLayer } from './keystreamLayer.js'

/**
 * The owner's view of one direction of a tunnel: all n hop layers of that
 * direction. XOR layers commute, so one pass over the n layers both adds
 * (outward) and removes (inward) them all.
 */
export class LayerStack {
  constructor (private readonly layers: readonly KeystreamLayer[]) {}

  /** Applies every layer to `chunk` in place. */
  applyInPlace (chunk: Uint8Array): void {
    for (const layer of this.layers) layer.applyInPlace(chunk)
  }

  /** A new buffer with every layer applied. */
  apply (chunk: Uint8Array): Buffer {
    const out = Buffer.from(chunk)
    this.applyInPlace(out)
    return out
  }

  get depth (): number {
    return this.layers.length
  }
}
