/**
 * The owner's end of an established tunnel as the session layer's byte
 * transport (session/transport/byteDuplex.ts): outgoing bytes get all n
 * outward layers, incoming bytes lose all n inward layers. For an outbound
 * tunnel the first incoming bytes are the target's AP record (see
 * network/targetRecordFrame.ts), which `targetRecord` yields; everything after
 * it goes to the session. Bytes that arrive before the session sets its
 * handler are kept (at most `maxEarlyBytes`, else the tunnel is reset).
 */
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { ByteDuplex } from '../../session/transport/byteDuplex.js'
import { TargetRecordFrameReader } from '../network/targetRecordFrame.js'
import { TUNNEL_IDLE_MS } from '../network/tunnelPipe.js'
import type { OwnerTunnel } from '../owner/ownerTunnel.js'

const MAX_EARLY_BYTES = 1 << 20

export class OwnerTunnelDuplex implements ByteDuplex {
  private dataHandler: ((bytes: Uint8Array) => void) | null = null
  private closeHandler: ((error?: Error) => void) | null = null
  private drainHandler: (() => void) | null = null
  private drainScheduled = false
  private early: Buffer[] = []
  private earlyBytes = 0
  private recordReader: TargetRecordFrameReader | null
  private recordWaiter: { resolve: (record: Buffer) => void, reject: (err: Error) => void } | null = null
  private record: Buffer | null = null
  private closed: { error?: Error } | null = null
  private activity = true
  private readonly idleTimer: NodeJS.Timeout
  bytesSent = 0
  bytesReceived = 0

  constructor (private readonly stream: Stream, private readonly tunnel: OwnerTunnel, options: { expectTargetRecord: boolean, idleMs?: number }) {
    this.recordReader = options.expectTargetRecord ? new TargetRecordFrameReader() : null
    stream.addEventListener('message', this.onMessage)
    // 'drain': the muxer can take more (its send loop runs next, in a
    // microtask); 'idle': the write buffer is empty. The stream dispatches
    // both from inside its send loop, where a send would only be buffered, so
    // the handler runs in a microtask queued after that loop (at most one
    // outstanding), and a sender it held back checks queuedBytes again.
    const drained = (): void => {
      if (this.drainHandler == null || this.drainScheduled) return
      this.drainScheduled = true
      queueMicrotask(() => {
        this.drainScheduled = false
        if (this.closed == null) this.drainHandler?.()
      })
    }
    stream.addEventListener('drain', drained)
    stream.addEventListener('idle', drained)
    stream.addEventListener('remoteCloseWrite', () => { this.finish() })
    stream.addEventListener('close', (evt) => { this.finish((evt as { error?: Error }).error ?? undefined) }, { once: true })
    const idleMs = options.idleMs ?? TUNNEL_IDLE_MS
    this.idleTimer = setInterval(() => {
      if (!this.activity) this.close(new Error('tunnel idle'))
      this.activity = false
    }, idleMs)
    this.idleTimer.unref()
  }

  /** Outbound tunnels: the target's AP record as the exit node sent it (unverified). */
  async targetRecord (): Promise<Buffer> {
    if (this.record != null) return this.record
    if (this.closed != null) throw this.closed.error ?? new Error('tunnel closed')
    return await new Promise((resolve, reject) => { this.recordWaiter = { resolve, reject } })
  }

  get isClosed (): boolean {
    return this.closed != null
  }

  get queuedBytes (): number {
    return this.stream.writeBufferLength
  }

  /** Takes `bytes` over (ByteDuplex): the outward layers are applied where they lie, no copy. */
  send (bytes: Uint8Array): void {
    if (this.closed != null || (this.stream.status !== 'open')) return
    this.tunnel.sealOutwardInPlace(bytes)
    this.bytesSent += bytes.byteLength
    this.activity = true
    try {
      this.stream.send(bytes)
    } catch (err) {
      this.close(err as Error)
    }
  }

  onData (handler: (bytes: Uint8Array) => void): void {
    this.dataHandler = handler
    if (this.early.length > 0) {
      const queued = this.early
      this.early = []
      this.earlyBytes = 0
      for (const bytes of queued) handler(bytes)
    }
  }

  onClose (handler: (error?: Error) => void): void {
    this.closeHandler = handler
  }

  onDrain (handler: () => void): void {
    this.drainHandler = handler
  }

  close (error?: Error): void {
    if (this.closed != null) return
    if (error != null) this.stream.abort(error)
    else this.stream.close().catch((err: Error) => { this.stream.abort(err) })
    this.finish(error)
  }

  private finish (error?: Error): void {
    if (this.closed != null) return
    this.closed = error != null ? { error } : {}
    clearInterval(this.idleTimer)
    this.stream.removeEventListener('message', this.onMessage)
    this.recordWaiter?.reject(error ?? new Error('tunnel closed before the target record'))
    this.recordWaiter = null
    if (this.stream.status === 'open') this.stream.abort(error ?? new Error('tunnel ended'))
    this.closeHandler?.(error)
  }

  /**
   * The inward layers come off in place, part by part, on the bytes yamux
   * hands over, which nothing else holds (as at a relay: network/tunnelPipe.ts);
   * each part then goes on as it is, so the session owns it (ByteDuplex).
   */
  private readonly onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => {
    const data = evt.data
    if (data instanceof Uint8Array) { this.receive(data); return }
    for (const part of data) {
      if (this.closed != null) return
      this.receive(part)
    }
  }

  private receive (part: Uint8Array): void {
    if (this.closed != null || part.byteLength === 0) return
    this.activity = true
    let chunk = Buffer.from(part.buffer, part.byteOffset, part.byteLength)
    this.tunnel.openInwardInPlace(chunk)
    this.bytesReceived += chunk.byteLength
    if (this.recordReader != null) {
      let got: { record: Buffer, rest: Buffer } | null
      try {
        got = this.recordReader.push(chunk)
      } catch (err) {
        this.close(err as Error)
        return
      }
      if (got == null) return
      this.recordReader = null
      this.record = got.record
      this.recordWaiter?.resolve(got.record)
      this.recordWaiter = null
      chunk = got.rest
      if (chunk.byteLength === 0) return
    }
    if (this.dataHandler != null) {
      this.dataHandler(chunk)
      return
    }
    this.earlyBytes += chunk.byteLength
    if (this.earlyBytes > MAX_EARLY_BYTES) {
      this.close(new Error('too many bytes before the session started'))
      return
    }
    this.early.push(chunk)
  }
}
