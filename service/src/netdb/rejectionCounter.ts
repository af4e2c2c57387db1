import { RecordRejectedError } from './recordRejectedError.js'

export type RecordValidateFn = (key: Uint8Array, value: Uint8Array) => void

/**
 * Counts the records this node's validators rejected, by reason, so an
 * operator can see hostile or broken peers (phantomctl status). Bad network
 * input is dropped and counted, never fatal.
 */
export class RejectionCounter {
  private readonly counts = new Map<string, number>()

  /** Wraps a validator so each rejection is counted before it is rethrown to kad-dht. */
  wrap (validate: RecordValidateFn): RecordValidateFn {
    return (key, value) => {
      try {
        validate(key, value)
      } catch (err) {
        const reason = err instanceof RecordRejectedError ? err.reason : 'malformed'
        this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1)
        throw err
      }
    }
  }

  snapshot (): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)))
  }
}
