import { REPLAY_CACHE_ENTRIES } from '../sessionLimits.js'

/**
 * Bounded cache of recently seen initiator ephemeral keys. An entry lives until
 * its handshake's timestamp leaves the acceptance window, after which the
 * timestamp check alone rejects a replay. When the cache is full of live
 * entries it refuses new handshakes (fails closed) rather than forgetting one.
 */
export class ReplayCache {
  private readonly expiries = new Map<string, number>()

  constructor (private readonly capacity = REPLAY_CACHE_ENTRIES) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('replay cache capacity must be a positive integer')
  }

  get size (): number {
    return this.expiries.size
  }

  /** Records `key` until `expiresAtMs`; 'replay' if it is already live, 'full' if there is no room. */
  checkAndInsert (key: Uint8Array, expiresAtMs: number, nowMs: number): 'fresh' | 'replay' | 'full' {
    const id = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex')
    const existing = this.expiries.get(id)
    if (existing != null && existing > nowMs) return 'replay'
    if (existing != null) this.expiries.delete(id)
    if (this.expiries.size >= this.capacity) this.sweep(nowMs)
    if (this.expiries.size >= this.capacity) return 'full'
    this.expiries.set(id, expiresAtMs)
    return 'fresh'
  }

  /** Removes every expired entry. */
  sweep (nowMs: number): void {
    for (const [id, expiry] of this.expiries) if (expiry <= nowMs) this.expiries.delete(id)
  }
}
