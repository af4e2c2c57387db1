/**
 * Remembers which fragmented packets the firewall let in, by (source,
 * destination, identification), so that their later fragments (which carry
 * no ports) follow the first one's verdict. Bounded: the oldest entry goes
 * first when full; entries live `lifetimeMs` (RFC 8200 §4.5 gives
 * reassembly 60 s).
 */
export class FragmentVerdicts {
  private readonly accepted = new Map<string, number>()

  constructor (private readonly maxEntries: number, private readonly lifetimeMs: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer')
  }

  get size (): number {
    return this.accepted.size
  }

  static key (source: Uint8Array, destination: Uint8Array, identification: number): string {
    return `${Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('hex')}|` +
      `${Buffer.from(destination.buffer, destination.byteOffset, destination.byteLength).toString('hex')}|${identification}`
  }

  accept (key: string, now: number): void {
    this.accepted.delete(key)
    while (this.accepted.size >= this.maxEntries) {
      const oldest = this.accepted.keys().next()
      if (oldest.done === true) break
      this.accepted.delete(oldest.value)
    }
    this.accepted.set(key, now + this.lifetimeMs)
  }

  isAccepted (key: string, now: number): boolean {
    const until = this.accepted.get(key)
    if (until === undefined) return false
    if (until <= now) { this.accepted.delete(key); return false }
    return true
  }

  sweep (now: number): void {
    for (const [key, until] of this.accepted) if (until <= now) this.accepted.delete(key)
  }

  clear (): void {
    this.accepted.clear()
  }
}
