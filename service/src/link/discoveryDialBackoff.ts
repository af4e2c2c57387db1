/**
 * When a discovered peer may be dialled again after a failed dial.
 *
 * mDNS reports every unconnected LAN peer again on each query (every 10 s), so
 * without a back-off every node redials a peer that cannot answer (one still
 * starting, or overloaded) every 10 s. On a slow machine (an old PC, a booted
 * ISO under emulation) those dials pile up in the peer's accept queue faster
 * than it can complete Noise handshakes, each one abandoned by its dialler
 * before the peer reaches it, and the peer never catches up. After each
 * failure the wait doubles, from `firstDelayMs` up to `maxDelayMs`; a
 * successful dial forgets the peer. At most `maxPeers` peers are remembered
 * (the oldest failure is forgotten first), so memory stays bounded whatever
 * the LAN announces.
 */
export interface DiscoveryDialBackoffOptions {
  firstDelayMs: number
  maxDelayMs: number
  maxPeers: number
}

export const DEFAULT_DISCOVERY_DIAL_BACKOFF: DiscoveryDialBackoffOptions = {
  firstDelayMs: 15_000,
  maxDelayMs: 5 * 60_000,
  maxPeers: 1024
}

interface FailureRecord {
  failures: number
  retryAt: number
}

export class DiscoveryDialBackoff {
  private readonly failed = new Map<string, FailureRecord>()

  constructor (private readonly options: DiscoveryDialBackoffOptions = DEFAULT_DISCOVERY_DIAL_BACKOFF) {}

  /** True when `peer` has no failed dial waiting out its back-off at `now`. */
  mayDial (peer: string, now: number): boolean {
    const record = this.failed.get(peer)
    return record == null || now >= record.retryAt
  }

  /** Records a failed dial at `now`; returns the time before the next dial is allowed. */
  dialFailed (peer: string, now: number): number {
    const previous = this.failed.get(peer)
    const failures = (previous?.failures ?? 0) + 1
    const delay = Math.min(this.options.maxDelayMs, this.options.firstDelayMs * 2 ** Math.min(failures - 1, 30))
    this.failed.delete(peer) // re-inserted last: the map's order is the order of the latest failures
    this.failed.set(peer, { failures, retryAt: now + delay })
    while (this.failed.size > this.options.maxPeers) {
      const oldest = this.failed.keys().next().value
      if (oldest === undefined) break
      this.failed.delete(oldest)
    }
    return delay
  }

  /** Forgets the failures of a peer this node is now connected to. */
  connected (peer: string): void {
    this.failed.delete(peer)
  }

  get size (): number {
    return this.failed.size
  }
}
