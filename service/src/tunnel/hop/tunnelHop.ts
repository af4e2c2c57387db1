import { randomInt } from '../../crypto/index.js'
import { permuteForward, permuteInverse } from '../blocks/blockPermutation.js'
import type { TunnelKeySet } from '../keys/tunnelKeySet.js'
import { BLOCK_BYTES } from '../tunnelConstants.js'
import { HopCache, type HopCacheOptions } from './hopCache.js'
import { HopTunnel, type LayerObserver } from './hopTunnel.js'

export interface TunnelHopOptions {
  cache?: HopCacheOptions
  observer?: LayerObserver
}

export interface BackwardStepResult {
  /** The first block with this hop's transform undone (what the hop received in step 1). */
  firstOut: Buffer
  /** The second block with this hop's transform applied. */
  secondOut: Buffer
  tunnel: HopTunnel
}

/**
 * The tunnel-setup part of a relay X-node (not the terminating node), for
 * both kinds of tunnel alike:
 *
 * 1. `acceptFirstBlock`: a 64-byte block arrives on the path link (a probe
 *    from the owner's side, or an initialisation block from Xn's side). Pick
 *    one of the N keys uniformly at random, output E_K(block), remember
 *    output → key index for the cache TTL, forward the output.
 * 2. `backwardStep`: a new tunnel stream brings two blocks from the side the
 *    output went to. The first must be a live cache entry (taken: one tunnel
 *    per entry); undo the transform on it, apply it to the second block,
 *    derive the data layers, forward both to the other side.
 *
 * Anything that does not fit returns null: the caller drops silently.
 */
export class TunnelHop {
  private readonly cache: HopCache<number>

  constructor (private readonly keys: TunnelKeySet, private readonly options: TunnelHopOptions = {}) {
    if (keys.length < 1) throw new RangeError('a hop needs at least one tunnel key')
    this.cache = new HopCache<number>(options.cache)
  }

  acceptFirstBlock (block: Uint8Array): Buffer | null {
    if (block.byteLength !== BLOCK_BYTES) return null
    const keyIndex = randomInt(this.keys.length)
    const out = permuteForward(this.keys[keyIndex] as Buffer, block)
    // An output already cached (a replay that drew the same key) is dropped: one block, one tunnel.
    if (!this.cache.add(out, keyIndex)) return null
    return out
  }

  backwardStep (first: Uint8Array, second: Uint8Array): BackwardStepResult | null {
    if (first.byteLength !== BLOCK_BYTES || second.byteLength !== BLOCK_BYTES) return null
    const keyIndex = this.cache.take(first)
    if (keyIndex == null) return null
    const key = this.keys[keyIndex] as Buffer
    return {
      firstOut: permuteInverse(key, first),
      secondOut: permuteForward(key, second),
      tunnel: new HopTunnel(keyIndex, key, first, second, this.options.observer)
    }
  }

  /** Entries currently cached (bounded by the cache size). */
  get pendingCount (): number {
    return this.cache.size
  }
}
