/**
 * Joins two libp2p streams of one tunnel at a hop (PROTOCOL.md §7 data
 * phase): bytes from `a` get `aToB` applied and go to `b`, bytes from `b` get
 * `bToA` and go to `a`. No framing, no expansion, nothing buffered beyond
 * what the streams hold: when a destination asks to drain, its source is
 * paused. Closing or resetting either stream closes the whole tunnel
 * (§7.2.4); a half-close is passed on as a half-close. The tunnel also closes
 * after `idleMs` without a byte in either direction.
 */
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ChunkTransform {
  /** Transforms the bytes where they are; successive calls continue where the last one ended (any sizes). */
  applyInPlace: (chunk: Uint8Array) => void
}

export const TUNNEL_IDLE_MS = 5 * 60_000
/** After one stream of a tunnel ended cleanly, its twin has this long to end too. */
const CLOSE_GRACE_MS = 30_000

export interface TunnelPipeOptions {
  idleMs?: number
  onClose?: () => void
  /** Bytes relayed, per direction (instrumentation). */
  onBytes?: (direction: 'aToB' | 'bToA', bytes: number) => void
}

export class TunnelPipe {
  private closed = false
  private idleTimer: NodeJS.Timeout | undefined
  private activity = false
  bytesAToB = 0
  bytesBToA = 0

  constructor (private readonly a: Stream, private readonly b: Stream, aToB: ChunkTransform, bToA: ChunkTransform, private readonly options: TunnelPipeOptions = {}) {
    this.pump(a, b, aToB, 'aToB')
    this.pump(b, a, bToA, 'bToA')
    const idleMs = options.idleMs ?? TUNNEL_IDLE_MS
    this.idleTimer = setInterval(() => {
      if (!this.activity) this.close('tunnel idle')
      this.activity = false
    }, idleMs)
    this.idleTimer.unref()
    let finished = 0
    for (const [s, twin] of [[a, b], [b, a]] as const) {
      s.addEventListener('close', (evt) => {
        // a reset (or any error) ends the whole tunnel at once
        if ((evt as { error?: Error }).error != null) { this.close('tunnel stream reset'); return }
        if (++finished === 2) { this.close('tunnel finished'); return }
        // a clean end of one stream (its node went away, or both its directions ended): end the twin
        // the same way, after what it still has to send; reset it if it does not finish in time
        if (twin.status === 'open') twin.close().catch(() => { this.close('tunnel stream did not finish') })
        const timer = setTimeout(() => { this.close('tunnel stream did not finish') }, CLOSE_GRACE_MS)
        timer.unref()
        twin.addEventListener('close', () => { clearTimeout(timer) }, { once: true })
      }, { once: true })
      if (s.status !== 'open' && s.status !== 'closing') queueMicrotask(() => { this.close('tunnel stream closed') })
    }
  }

  get isClosed (): boolean {
    return this.closed
  }

  close (reason = 'tunnel closed'): void {
    if (this.closed) return
    this.closed = true
    if (this.idleTimer != null) clearInterval(this.idleTimer)
    for (const s of [this.a, this.b]) {
      if (s.status === 'open' || s.status === 'closing') s.abort(new Error(reason))
    }
    this.options.onClose?.()
  }

  private pump (src: Stream, dst: Stream, transform: ChunkTransform, direction: 'aToB' | 'bToA'): void {
    src.addEventListener('message', (evt: { data: Uint8Array | Uint8ArrayList }) => {
      if (this.closed) return
      this.activity = true
      const chunk = evt.data
      // In place, part by part: these bytes are this hop's alone. yamux hands
      // over the plaintext of Noise messages just decrypted for this stream
      // (in libp2p-noise's buffer, or in place in the socket's read buffer),
      // each byte to one stream and that stream's one listener, this pipe;
      // once sent on, only the next stream's send queue refers to them. No
      // new buffer and no copy per chunk (docs/benchmarks.md, "Session 6").
      if (chunk instanceof Uint8Array) transform.applyInPlace(chunk)
      else for (const part of chunk) transform.applyInPlace(part)
      if (direction === 'aToB') this.bytesAToB += chunk.byteLength
      else this.bytesBToA += chunk.byteLength
      this.options.onBytes?.(direction, chunk.byteLength)
      let writable: boolean
      try {
        writable = dst.send(chunk)
      } catch {
        this.close('tunnel stream not writable')
        return
      }
      if (!writable) {
        src.pause()
        dst.onDrain().then(() => { if (!this.closed) src.resume() }, () => { this.close('tunnel stream closed while draining') })
      }
    })
    src.addEventListener('remoteCloseWrite', () => {
      if (this.closed) return
      dst.close().catch(() => { this.close('half-close failed') })
    })
  }
}
