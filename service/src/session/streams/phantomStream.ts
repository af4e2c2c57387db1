import { Duplex } from 'node:stream'
import { ErrorCode, type ErrorCodeValue } from '../frames/errorCode.js'
import { StreamResetError } from './streamErrors.js'
import { ReceiveWindow } from './receiveWindow.js'
import type { StreamState } from './streamState.js'

/** What a stream needs from its session (implemented by Session). */
export interface StreamController {
  write: (stream: PhantomStream, data: Buffer, done: (error?: Error | null) => void) => void
  end: (stream: PhantomStream, done: (error?: Error | null) => void) => void
  consumed: (stream: PhantomStream, bytes: number) => void
  destroyed: (stream: PhantomStream, error: Error | null) => void
}

export interface PhantomStreamInit {
  id: number
  port: number
  openedLocally: boolean
  initialSendWindow: number
  receiveWindow: ReceiveWindow
  highWaterMark: number
  /** Session clock at creation (the first value of lastDataAt). */
  openedAt: number
}

/**
 * One multiplexed stream of a session as a Node Duplex (pipe a socket into
 * it). Back-pressure: received DATA waits in a queue and is handed to the
 * Readable only while it wants data; credit goes back to the peer only for
 * bytes the application has actually taken out of the Readable (every way
 * of consuming a Readable goes through read(), or emits 'data' without
 * buffering). So everything received and not yet consumed stays within the
 * receive window, and a slow reader stops the sender.
 */
export class PhantomStream extends Duplex {
  readonly id: number
  /** The port on the receiving side's AP address this stream was opened to. */
  readonly port: number
  readonly openedLocally: boolean
  /** Session bookkeeping (owned by Session). */
  state: StreamState = 'open'
  sendWindow: number
  readonly receiveWindow: ReceiveWindow
  pendingWrite: { data: Buffer, offset: number, done: (error?: Error | null) => void } | null = null
  /** Set when the peer reset the stream (no STREAM_CLOSE is sent back). */
  resetByPeer = false
  /** Session clock when DATA last went either way (or the stream opened): T§7.3's idle timeout. */
  lastDataAt: number

  private readonly inbound: Array<Buffer | null> = []
  private inboundBytes = 0
  private wantsData = false
  /** Bytes handed to the Readable, and how many of them were credited back as consumed. */
  private pushedBytes = 0
  private creditedBytes = 0

  constructor (private readonly controller: StreamController, init: PhantomStreamInit) {
    super({ allowHalfOpen: true, readableHighWaterMark: init.highWaterMark, writableHighWaterMark: init.highWaterMark })
    this.id = init.id
    this.port = init.port
    this.openedLocally = init.openedLocally
    this.sendWindow = init.initialSendWindow
    this.receiveWindow = init.receiveWindow
    this.lastDataAt = init.openedAt
  }

  /** Received bytes waiting for the reader. */
  get queuedInboundBytes (): number {
    return this.inboundBytes
  }

  /** Aborts the stream in both directions with a T§10.1 code sent to the peer. */
  reset (errorCode: ErrorCodeValue = ErrorCode.CANCEL): void {
    this.destroy(new StreamResetError(errorCode, 'local'))
  }

  /** Session → stream: DATA arrived. */
  deliver (data: Buffer): void {
    this.inbound.push(data)
    this.inboundBytes += data.byteLength
    this.pump()
  }

  /** Session → stream: the peer finished sending. */
  deliverEnd (): void {
    this.inbound.push(null)
    this.pump()
  }

  /** Drops queued inbound data (on destroy); returns how many received bytes were never credited back. */
  discardInbound (): number {
    const dropped = this.inboundBytes + (this.pushedBytes - this.creditedBytes)
    this.inbound.length = 0
    this.inboundBytes = 0
    this.creditedBytes = this.pushedBytes
    return dropped
  }

  override read (size?: number): any {
    const result: unknown = super.read(size)
    this.settleCredit()
    return result
  }

  override _read (): void {
    this.wantsData = true
    this.pump()
  }

  override _write (chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.controller.write(this, chunk, callback)
  }

  override _final (callback: (error?: Error | null) => void): void {
    this.controller.end(this, callback)
  }

  override _destroy (error: Error | null, callback: (error?: Error | null) => void): void {
    this.controller.destroyed(this, error)
    callback(error)
  }

  private pump (): void {
    while (this.wantsData && this.inbound.length > 0 && !this.destroyed) {
      const item = this.inbound.shift() as Buffer | null
      if (item == null) {
        this.push(null)
        return
      }
      this.inboundBytes -= item.byteLength
      this.pushedBytes += item.byteLength
      const more = this.push(item)
      this.settleCredit()
      if (!more) this.wantsData = false
    }
  }

  /** Credits back the bytes that have left the Readable's buffer since the last call. */
  private settleCredit (): void {
    if (this.destroyed) return
    const consumed = this.pushedBytes - this.readableLength - this.creditedBytes
    if (consumed <= 0) return
    this.creditedBytes += consumed
    this.controller.consumed(this, consumed)
  }
}
