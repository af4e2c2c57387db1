/** A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor (private readonly ratePerSecond: number, private readonly burst: number, private readonly now: () => number = Date.now) {
    if (!(ratePerSecond >= 0) || !Number.isFinite(ratePerSecond)) throw new RangeError('rate must be a finite non-negative number')
    if (!Number.isInteger(burst) || burst < 0) throw new RangeError('burst must be a non-negative integer')
    this.tokens = burst
    this.last = now()
  }

  /** Takes one token if there is one. */
  take (): boolean {
    const now = this.now()
    const elapsed = now - this.last
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSecond / 1000)
      this.last = now
    }
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
