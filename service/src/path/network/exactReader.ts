/**
 * Reads fixed-size messages from a libp2p 3 stream with a hard bound on the
 * bytes the stream may ever deliver. A stream that sends more than its
 * budget, ends early or is too slow is aborted (reset, silently): the caller
 * never buffers more than `budget` bytes nor waits longer than it asked.
 */
import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'

export class StreamReadError extends Error {
  override name = 'StreamReadError'
}

interface Waiter {
  length: number
  resolve: (bytes: Buffer) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export class ExactReader {
  private readonly buffer = new Uint8ArrayList()
  private received = 0
  private waiter: Waiter | null = null
  private failure: Error | null = null

  /** `budget`: the most bytes this stream may deliver over its whole life (e.g. two setup messages). */
  constructor (private readonly stream: Stream, private readonly budget: number) {
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('close', this.onClose)
    stream.addEventListener('remoteCloseWrite', this.onRemoteEnd)
  }

  /** Bytes delivered so far (for instrumentation and tests). */
  get receivedBytes (): number {
    return this.received
  }

  /** Resolves with exactly `length` bytes, or rejects (and aborts the stream) on overrun, early end or timeout. */
  async read (length: number, timeoutMs: number): Promise<Buffer> {
    if (this.waiter != null) throw new Error('ExactReader: one read at a time')
    if (this.failure != null) throw this.failure
    if (this.received - this.buffer.byteLength + length > this.budget) {
      const err = new StreamReadError('read beyond the stream budget')
      this.fail(err)
      throw err
    }
    if (this.buffer.byteLength >= length) return this.take(length)
    return await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => { this.fail(new StreamReadError(`no complete ${length}-byte message within ${timeoutMs} ms`)) }, timeoutMs)
      // a pending read never keeps the process alive on its own (shutdown)
      timer.unref()
      this.waiter = { length, resolve, reject, timer }
    })
  }

  /**
   * Stops listening; the stream itself is left as it is. Bytes that arrived
   * beyond what was read are handed back to the stream (unshift), so the next
   * reader of the stream gets them first.
   */
  detach (): void {
    if (this.buffer.byteLength > 0 && this.failure == null && (this.stream.status === 'open' || this.stream.status === 'closing')) {
      const rest = this.buffer.sublist()
      this.buffer.consume(this.buffer.byteLength)
      this.stream.removeEventListener('message', this.onMessage)
      this.stream.unshift(rest)
    }
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('close', this.onClose)
    this.stream.removeEventListener('remoteCloseWrite', this.onRemoteEnd)
    if (this.waiter != null) {
      clearTimeout(this.waiter.timer)
      this.waiter.reject(new StreamReadError('reader detached'))
      this.waiter = null
    }
  }

  private take (length: number): Buffer {
    const out = Buffer.from(this.buffer.subarray(0, length))
    this.buffer.consume(length)
    return out
  }

  private readonly onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => {
    if (this.failure != null) return
    this.received += evt.data.byteLength
    if (this.received > this.budget) {
      this.fail(new StreamReadError(`stream sent more than its budget of ${this.budget} bytes`))
      return
    }
    this.buffer.append(evt.data)
    const w = this.waiter
    if (w != null && this.buffer.byteLength >= w.length) {
      this.waiter = null
      clearTimeout(w.timer)
      w.resolve(this.take(w.length))
    }
  }

  private readonly onClose = (): void => {
    this.settle(new StreamReadError('stream closed'))
  }

  private readonly onRemoteEnd = (): void => {
    const w = this.waiter
    if (w != null && this.buffer.byteLength < w.length) this.settle(new StreamReadError('stream ended before a complete message'))
  }

  /** Records the failure and rejects a pending read without touching the stream. */
  private settle (err: Error): void {
    if (this.failure == null) this.failure = err
    const w = this.waiter
    if (w != null) {
      this.waiter = null
      clearTimeout(w.timer)
      w.reject(err)
    }
  }

  /** Records the failure, rejects a pending read and resets the stream. */
  private fail (err: Error): void {
    this.settle(err)
    this.buffer.consume(this.buffer.byteLength)
    this.stream.abort(err)
  }
}
