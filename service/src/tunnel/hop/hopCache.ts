import { performance } from 'node:perf_hooks'
import { BLOCK_BYTES, HOP_CACHE_MAX_ENTRIES, HOP_CACHE_TTL_MS } from '../tunnelConstants.js'

export interface HopCacheOptions {
  ttlMs?: number
  maxEntries?: number
  /** Milliseconds clock (injectable for tests). */
  now?: () => number
}

interface Entry<V> {
  value: V
  expiresAt: number
}

/**
 * Time-limited, bounded map from a 64-byte block (a hop's output of the first
 * setup block) to what the hop must remember about it (its key index).
 *
 * Memory is bounded: at most `maxEntries` entries; inserting into a full cache
 * drops the oldest entry. Every entry lives `ttlMs` at most. Entries are
 * one-shot: `take` removes what it finds, so a block can set up one tunnel only.
 * The TTL is the same for every entry, so insertion order is expiry order and
 * purging is a walk from the front of the (insertion-ordered) Map.
 *
 * Keys are the block's bytes as a binary string; they are public (they travel
 * on the wire), so ordinary map lookups are fine.
 */
export class HopCache<V> {
  private readonly entries = new Map<string, Entry<V>>()
  private readonly ttlMs: number
  private readonly maxEntries: number
  private readonly now: () => number

  constructor (options: HopCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? HOP_CACHE_TTL_MS
    this.maxEntries = options.maxEntries ?? HOP_CACHE_MAX_ENTRIES
    this.now = options.now ?? (() => performance.now())
    if (!(this.ttlMs > 0)) throw new RangeError('hop cache TTL must be positive')
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new RangeError('hop cache size must be a positive integer')
  }

  private static keyOf (block: Uint8Array): string {
    if (block.byteLength !== BLOCK_BYTES) throw new RangeError(`hop cache keys are ${BLOCK_BYTES}-byte blocks`)
    return Buffer.from(block.buffer, block.byteOffset, block.byteLength).toString('latin1')
  }

  /** Drops expired entries (oldest first). */
  purgeExpired (): void {
    const now = this.now()
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break
      this.entries.delete(key)
    }
  }

  /** Adds `block → value`. Returns false (and changes nothing) if the block is already cached. */
  add (block: Uint8Array, value: V): boolean {
    this.purgeExpired()
    const key = HopCache.keyOf(block)
    if (this.entries.has(key)) return false
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) break
      this.entries.delete(oldest.value)
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs })
    return true
  }

  /** Removes and returns the live entry for `block`, or null. */
  take (block: Uint8Array): V | null {
    if (block.byteLength !== BLOCK_BYTES) return null
    this.purgeExpired()
    const key = HopCache.keyOf(block)
    const entry = this.entries.get(key)
    if (entry == null) return null
    this.entries.delete(key)
    return entry.value
  }

  get size (): number {
    return this.entries.size
  }
}
