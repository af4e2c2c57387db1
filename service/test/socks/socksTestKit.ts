import { createConnection, type Socket } from 'node:net'

export interface Exchange {
  /** Everything the server sent. */
  data: Buffer
  /** Whether the server ended (sent FIN) or closed the connection before the timeout. */
  closed: boolean
}

/**
 * Connects, writes `chunks` one after another (each after the previous has been
 * flushed), half-closes when `end` is set, and collects what the server sends
 * until it closes or `timeoutMs` passes.
 */
export async function exchange (port: number, chunks: Buffer[], options: { end?: boolean, timeoutMs?: number } = {}): Promise<Exchange> {
  const socket = createConnection({ host: '127.0.0.1', port, allowHalfOpen: true })
  const received: Buffer[] = []
  socket.on('data', (d: Buffer) => received.push(d))
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  for (const chunk of chunks) {
    if (socket.destroyed) break
    await new Promise<void>(resolve => { socket.write(chunk, () => { resolve() }) })
  }
  if (options.end === true && !socket.destroyed) socket.end()
  const closed = await closedWithin(socket, options.timeoutMs ?? 10_000)
  socket.destroy()
  return { data: Buffer.concat(received), closed }
}

/** Resolves true when the peer ends or closes the connection (or it is already closed), false after `timeoutMs`. */
export async function closedWithin (socket: Socket, timeoutMs: number): Promise<boolean> {
  if (socket.closed || socket.readableEnded) return true
  return await new Promise<boolean>(resolve => {
    const timer = setTimeout(() => { resolve(false) }, timeoutMs)
    const done = (): void => { clearTimeout(timer); resolve(true) }
    socket.once('end', done)
    socket.once('close', done)
    // A paused socket never notices the end.
    if (socket.listenerCount('data') === 0) socket.on('data', () => {})
  })
}

/** Resolves with the first `count` bytes the socket receives (rejects on close or after `timeoutMs`). */
export async function readBytes (socket: Socket, count: number, timeoutMs = 10_000): Promise<Buffer> {
  return await new Promise((resolve, reject) => {
    let got = Buffer.alloc(0)
    const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out waiting for ${count} bytes, got ${got.length}`)) }, timeoutMs)
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d])
      if (got.length >= count) { cleanup(); socket.pause(); if (got.length > count) socket.unshift(got.subarray(count)); resolve(got.subarray(0, count)) }
    }
    const onClose = (): void => { cleanup(); reject(new Error(`closed after ${got.length} of ${count} bytes`)) }
    const cleanup = (): void => { clearTimeout(timer); socket.off('data', onData); socket.off('close', onClose) }
    socket.on('data', onData)
    socket.once('close', onClose)
    socket.resume()
  })
}
