import type { KadDHT } from '@libp2p/kad-dht'

export interface RecordReadOptions {
  /** How many responders to hear from before choosing (PROTOCOL.md §4: "ask several responders"). */
  responders: number
  timeoutMs: number
  /**
   * Once one valid copy is in hand, how long to keep listening for more before
   * answering with the best so far (bounds the wait when fewer than
   * `responders` nodes hold the record).
   */
  settleMs: number
  /** Throws when the record is not acceptable (our validator, applied again here). */
  validate: (key: Uint8Array, value: Uint8Array) => void | Promise<void>
  /** Index of the best record (our selector). */
  select: (key: Uint8Array, values: Uint8Array[]) => number
}

export interface RecordReadResult {
  value: Uint8Array
  /** How many distinct responders (including this node's own store) gave a valid copy. */
  validCopies: number
  /** How many copies were rejected by the validator. */
  rejectedCopies: number
}

/**
 * Reads a record from the network database: collects the values of several
 * responders, re-validates each, and keeps the best valid one. Returns null
 * when no valid copy was found within the time limit.
 */
export async function readBestRecord (dht: KadDHT, key: Uint8Array, options: RecordReadOptions): Promise<RecordReadResult | null> {
  const controller = new AbortController()
  const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs), controller.signal])
  let settleTimer: NodeJS.Timeout | undefined
  const valid: Uint8Array[] = []
  const seen = new Set<string>()
  let rejected = 0
  try {
    // kad-dht's get() holds its final VALUE back until the whole query has
    // ended; each responder's copy arrives earlier, as a PEER_RESPONSE carrying
    // the record, so we read those and stop as soon as enough responders answered.
    for await (const event of dht.get(key, { signal })) {
      let value: Uint8Array
      if (event.name === 'PEER_RESPONSE' && event.record != null) value = event.record.value
      else if (event.name === 'VALUE') value = event.value
      else continue
      const responder = event.from.toString()
      if (seen.has(responder)) continue
      seen.add(responder)
      try {
        await options.validate(key, value)
        valid.push(value)
        if (valid.length === 1) settleTimer = setTimeout(() => { controller.abort() }, options.settleMs)
      } catch {
        rejected++
      }
      if (valid.length >= options.responders) break
    }
  } catch (err) {
    // a query that ran out of time or peers still yields what it collected
    if (valid.length === 0 && !signal.aborted && !isNotFound(err)) throw err
  }
  if (settleTimer != null) clearTimeout(settleTimer)
  if (valid.length === 0) return null
  const best = valid[options.select(key, valid)] ?? valid[0] as Uint8Array
  return { value: best, validCopies: valid.length, rejectedCopies: rejected }
}

function isNotFound (err: unknown): boolean {
  const name = (err as { name?: string })?.name ?? ''
  return name === 'NotFoundError' || name === 'QueryAbortedError' || name === 'AbortError'
}
