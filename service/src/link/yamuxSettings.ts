import { yamux } from '@chainsafe/libp2p-yamux'
import { installBatchedWindowUpdates } from './yamuxWindowUpdates.js'

/**
 * The largest receive window a yamux stream grows to.
 *
 * `@chainsafe/libp2p-yamux` grows a busy stream's window up to 16 MiB, but a
 * stream whose reader is paused is reset once more than 4 MiB wait in its read
 * buffer (libp2p's StreamBufferError), and a paused stream stops sending
 * window updates only after the sender already holds the whole window as
 * credit. A tunnel hop pauses its incoming stream whenever the next hop is
 * slower (TunnelPipe back-pressure), so with the library's defaults a slow
 * relay or receiver could reset the tunnel in the middle of a transfer (seen
 * in the full-connection benchmark under load). With at most 2 MiB of credit
 * the read buffer stays under the limit; 2 MiB still covers about 0.5 s of
 * 300 Mbit/s per stream and hop.
 */
export const YAMUX_MAX_STREAM_WINDOW_BYTES = 2 * 1024 * 1024

/** yamux with stream windows capped at YAMUX_MAX_STREAM_WINDOW_BYTES and window updates batched (yamuxWindowUpdates.ts). */
export function phantomYamux (): ReturnType<typeof yamux> {
  installBatchedWindowUpdates()
  return yamux({ streamOptions: { maxStreamWindowSize: YAMUX_MAX_STREAM_WINDOW_BYTES } })
}
