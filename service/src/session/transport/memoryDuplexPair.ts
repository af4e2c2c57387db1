import type { ByteDuplex } from './byteDuplex.js'

export interface MemoryDuplexOptions {
  /** Re-chunks every sent buffer into pieces of these sizes (cycled) before delivery; tests of arbitrary chunking. */
  chunkSizes?: () => number
  /** Sees (and may alter or drop by returning null) every chunk in flight from side `from` (0 = first, 1 = second). */
  tap?: (chunk: Buffer, from: 0 | 1) => Buffer | null
  /** While true for end `to` (0 = first, 1 = second), that end reads nothing: chunks wait, and count in its peer's queuedBytes. */
  holdDelivery?: (to: 0 | 1) => boolean
}

/**
 * Two connected in-process ByteDuplex ends. Delivery is asynchronous
 * (setImmediate), in order; a sender's queuedBytes are the bytes not yet
 * delivered, and its drain handler runs once they all were. Closing one end
 * closes the other after the data already sent has been delivered.
 */
export function createMemoryDuplexPair (options: MemoryDuplexOptions = {}): [ByteDuplex, ByteDuplex] {
  class End implements ByteDuplex {
    peer!: End
    private dataHandler: ((bytes: Uint8Array) => void) | null = null
    private closeHandler: ((error?: Error) => void) | null = null
    drainHandler: (() => void) | null = null
    readonly inbox: Buffer[] = []
    /** Bytes in `inbox`. */
    inboxBytes = 0
    closed = false
    private closeSeen = false
    private inboundEnded = false
    private inboundError: Error | undefined
    private scheduled = false

    constructor (private readonly index: 0 | 1) {}

    /** The bytes sent and not yet delivered. */
    get queuedBytes (): number {
      return this.peer.inboxBytes
    }

    send (bytes: Uint8Array): void {
      if (this.closed) return
      let chunk: Buffer | null = Buffer.from(bytes)
      if (options.tap != null) chunk = options.tap(chunk, this.index)
      if (chunk == null || chunk.byteLength === 0) return
      if (options.chunkSizes == null) {
        this.peer.enqueue(chunk)
        return
      }
      let offset = 0
      while (offset < chunk.byteLength) {
        const size = Math.max(1, options.chunkSizes())
        this.peer.enqueue(chunk.subarray(offset, offset + size))
        offset += size
      }
    }

    onData (handler: (bytes: Uint8Array) => void): void { this.dataHandler = handler; this.schedule() }
    onClose (handler: (error?: Error) => void): void { this.closeHandler = handler; this.schedule() }
    onDrain (handler: () => void): void { this.drainHandler = handler }

    close (error?: Error): void {
      if (this.closed) return
      this.closed = true
      this.inbox.length = 0
      this.inboxBytes = 0
      this.peer.endInbound()
      this.fireClose(error)
    }

    enqueue (chunk: Buffer): void {
      if (this.closed) return
      this.inbox.push(chunk)
      this.inboxBytes += chunk.byteLength
      this.schedule()
    }

    endInbound (error?: Error): void {
      this.inboundEnded = true
      this.inboundError = error
      this.schedule()
    }

    private schedule (): void {
      if (this.scheduled) return
      this.scheduled = true
      setImmediate(() => { this.scheduled = false; this.drain() })
    }

    private drain (): void {
      if (!this.closed && options.holdDelivery?.(this.index) === true) {
        setTimeout(() => this.schedule(), 1)
        return
      }
      if (this.closed || this.dataHandler == null) {
        if (this.closed) this.fireClose()
        return
      }
      const delivered = this.inbox.length > 0
      while (this.inbox.length > 0 && !this.closed) {
        const chunk = this.inbox.shift() as Buffer
        this.inboxBytes -= chunk.byteLength
        this.dataHandler(chunk)
      }
      // the sending end has nothing queued any more
      if (delivered && this.inbox.length === 0 && !this.peer.closed) this.peer.drainHandler?.()
      if (this.inboundEnded && !this.closed) {
        this.closed = true
        this.fireClose(this.inboundError)
      }
    }

    private fireClose (error?: Error): void {
      if (this.closeSeen || this.closeHandler == null) return
      this.closeSeen = true
      this.closeHandler(error)
    }
  }
  const a = new End(0)
  const b = new End(1)
  a.peer = b
  b.peer = a
  return [a, b]
}
