/**
 * Receive-side window accounting for one stream or the connection (T§8).
 * `available` is the credit the peer still has. Bytes are "consumed" when
 * handed to the application; the credit comes back in a WINDOW_UPDATE once
 * the available credit has fallen below half of the target.
 */
export class ReceiveWindow {
  private availableBytes: number
  private consumedSinceUpdate = 0

  constructor (private readonly targetBytes: number, initialCredit: number) {
    this.availableBytes = initialCredit
  }

  get available (): number {
    return this.availableBytes
  }

  /** False when `bytes` exceed the credit (a flow-control violation); otherwise takes them. */
  receive (bytes: number): boolean {
    if (bytes > this.availableBytes) return false
    this.availableBytes -= bytes
    return true
  }

  /** Marks bytes as consumed; returns the WINDOW_UPDATE increment to send now, or 0. */
  consume (bytes: number): number {
    this.consumedSinceUpdate += bytes
    return this.takeUpdate()
  }

  /** The increment that raises the credit to the target (used at start), or 0. */
  raiseToTarget (): number {
    const missing = this.targetBytes - this.availableBytes - this.consumedSinceUpdate
    if (missing <= 0) return 0
    this.availableBytes += missing
    return missing
  }

  private takeUpdate (): number {
    if (this.consumedSinceUpdate === 0 || this.availableBytes * 2 >= this.targetBytes) return 0
    const increment = this.consumedSinceUpdate
    this.availableBytes += increment
    this.consumedSinceUpdate = 0
    return increment
  }
}
