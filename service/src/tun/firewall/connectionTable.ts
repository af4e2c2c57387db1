import { type TrackedFlow } from './trackedFlow.js'

export interface ConnectionTableCounters {
  created: number
  /** Forgotten because the table was full (least recently used first). */
  evicted: number
  /** Forgotten after their idle timeout. */
  expired: number
}

/**
 * Bounded map of tracked flows. Iteration order is least recently touched
 * first (touch re-inserts), so a full table forgets its stalest flow. Expired
 * entries are dropped when met and by sweep().
 */
export class ConnectionTable<F extends { expiresAt: number } = TrackedFlow> {
  readonly counters: ConnectionTableCounters = { created: 0, evicted: 0, expired: 0 }
  private readonly flows = new Map<string, F>()

  constructor (private readonly maxFlows: number) {
    if (!Number.isInteger(maxFlows) || maxFlows < 1) throw new RangeError('maxFlows must be a positive integer')
  }

  get size (): number {
    return this.flows.size
  }

  /** The live flow under `key`, or undefined (an expired one is removed). */
  get (key: string, now: number): F | undefined {
    const flow = this.flows.get(key)
    if (flow === undefined) return undefined
    if (flow.expiresAt <= now) {
      this.flows.delete(key)
      this.counters.expired++
      return undefined
    }
    return flow
  }

  /** Adds a new flow, forgetting the least recently touched one when full. */
  add (key: string, flow: F): void {
    this.flows.delete(key)
    while (this.flows.size >= this.maxFlows) {
      const oldest = this.flows.keys().next()
      if (oldest.done === true) break
      this.flows.delete(oldest.value)
      this.counters.evicted++
    }
    this.flows.set(key, flow)
    this.counters.created++
  }

  /** Sets a new expiry and marks the flow most recently used. */
  touch (key: string, flow: F, expiresAt: number): void {
    flow.expiresAt = expiresAt
    this.flows.delete(key)
    this.flows.set(key, flow)
  }

  /** Removes every expired flow; returns how many. */
  sweep (now: number): number {
    let removed = 0
    for (const [key, flow] of this.flows) {
      if (flow.expiresAt <= now) {
        this.flows.delete(key)
        removed++
      }
    }
    this.counters.expired += removed
    return removed
  }

  clear (): void {
    this.flows.clear()
  }
}
