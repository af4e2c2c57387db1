import type { Stream } from '@libp2p/interface'

/** Queues `bytes` on the stream and waits for the muxer to drain if it asked to (bounded by `timeoutMs`). */
export async function sendAll (stream: Stream, bytes: Uint8Array, timeoutMs: number): Promise<void> {
  if (!stream.send(bytes)) await stream.onDrain({ signal: AbortSignal.timeout(timeoutMs) })
}

/** Closes gracefully in the background; resets the stream if the remote does not finish within `timeoutMs`. */
export function closeQuietly (stream: Stream, timeoutMs: number): void {
  if (stream.status !== 'open') return
  stream.close({ signal: AbortSignal.timeout(timeoutMs) }).catch((err: Error) => { stream.abort(err) })
}

/** Resets the stream silently (nothing but a stream reset reaches the remote). */
export function resetQuietly (stream: Stream, reason: string): void {
  if (stream.status === 'open' || stream.status === 'closing') stream.abort(new Error(reason))
}
