import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'

/** yamux's WINDOW_UPDATE frame type (yamux spec; the library does not export its frame module). */
const WINDOW_UPDATE = 1

/** The members of the library's stream class the batched update uses (private in its declarations). */
interface YamuxStreamInternals {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
  maxStreamWindowSize: number
  epochStart: number
  streamId: number
  getSendFlags: () => number
  sendFrame: (header: { type: number, flag: number, streamID: number, length: number }) => boolean
}

/**
 * A stream's receive-window update, sent once half its window has been
 * consumed (what Go's and Rust's yamux do) instead of after every DATA frame.
 *
 * `@chainsafe/libp2p-yamux` answers every DATA frame with a WINDOW_UPDATE:
 * at a relay of a bulk transfer that is one more Noise message, socket write
 * and read, and frame decode per forwarded chunk in the opposite direction.
 * Here an update goes out when (a) it carries a flag (the ACK of a stream
 * just opened by the peer, which must not wait), or (b) less than half the
 * window is left; in case (b) the window also doubles, up to the stream's
 * maximum (YAMUX_MAX_STREAM_WINDOW_BYTES), since half a window consumed
 * means data is flowing. The library's own version doubles it only when an
 * update follows the last one within four round trips, which with updates
 * this far apart would leave a bulk stream at the initial 256 KiB.
 * A paused stream sends none, as in the library (its reader holds the
 * sender back); on resume the update goes out if half the window is used.
 *
 * The wire is unchanged: a peer running the library's version only sees
 * fewer, larger updates, which yamux allows.
 */
function sendWindowUpdateBatched (this: YamuxStreamInternals): void {
  const now = Date.now()
  if (this.state === StreamState.Paused) {
    this.epochStart = now
    return
  }
  const flags = this.getSendFlags()
  if (flags === 0) {
    if (this.recvWindowCapacity * 2 > this.recvWindow) return
    this.recvWindow = Math.min(this.recvWindow * 2, this.maxStreamWindowSize)
  }
  const delta = this.recvWindow - this.recvWindowCapacity
  if (delta <= 0 && flags === 0) return
  this.recvWindowCapacity = this.recvWindow
  this.epochStart = now
  this.sendFrame({ type: WINDOW_UPDATE, flag: flags, streamID: this.streamId, length: Math.max(delta, 0) })
}

let installed = false

/**
 * Replaces the library stream class's `sendWindowUpdate` with the batched
 * one, for every yamux stream of this process (the muxer creates its streams
 * itself, so there is no per-muxer hook). Idempotent.
 */
export function installBatchedWindowUpdates (): void {
  if (installed) return
  const prototype = YamuxStream.prototype as unknown as { sendWindowUpdate: unknown }
  if (typeof prototype.sendWindowUpdate !== 'function') throw new Error('@chainsafe/libp2p-yamux: YamuxStream.sendWindowUpdate not found (library changed?)')
  prototype.sendWindowUpdate = sendWindowUpdateBatched
  installed = true
}
