import { createConnection, type Socket } from 'node:net'
import { CONTROL_MAX_LINE_BYTES, type ControlErrorBody } from './controlProtocol.js'

export class ControlClientError extends Error {
  constructor (message: string, readonly code: ControlErrorBody['code'] | 'unreachable' | 'protocol') {
    super(message)
    this.name = 'ControlClientError'
  }
}

/** A client of the control socket (used by phantomctl and tests). */
export class ControlClient {
  private nextId = 1
  private buffer = ''
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()

  private constructor (private readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => { this.onData(chunk) })
    socket.on('close', () => { this.failAll(new ControlClientError('the daemon closed the control connection', 'unreachable')) })
    socket.on('error', () => {})
  }

  static async connect (path: string, timeoutMs = 5000): Promise<ControlClient> {
    return await new Promise((resolve, reject) => {
      const socket = createConnection(path)
      const timer = setTimeout(() => { socket.destroy(); reject(new ControlClientError(`timed out connecting to ${path}`, 'unreachable')) }, timeoutMs)
      socket.once('connect', () => { clearTimeout(timer); resolve(new ControlClient(socket)) })
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        const why = err.code === 'ENOENT'
          ? 'no such socket (is phantom-node running?)'
          : err.code === 'EACCES' ? 'permission denied (are you in the phantom group?)' : err.code === 'ECONNREFUSED' ? 'connection refused (is phantom-node running?)' : err.message
        reject(new ControlClientError(`cannot reach the daemon at ${path}: ${why}`, 'unreachable'))
      })
    })
  }

  async call<T = unknown> (method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting.delete(id); reject(new ControlClientError(`no answer to ${method} within ${timeoutMs} ms`, 'unreachable')) }, timeoutMs)
      this.waiting.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v as T) },
        reject: (e) => { clearTimeout(timer); reject(e) }
      })
      this.socket.write(JSON.stringify({ id, method, params }) + '\n')
    })
  }

  close (): void {
    this.socket.end()
    this.socket.destroy()
  }

  private onData (chunk: string): void {
    this.buffer += chunk
    if (this.buffer.length > CONTROL_MAX_LINE_BYTES * 4) {
      this.failAll(new ControlClientError('answer too long', 'protocol'))
      this.socket.destroy()
      return
    }
    let newline: number
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline)
      this.buffer = this.buffer.slice(newline + 1)
      let msg: { id?: number, result?: unknown, error?: ControlErrorBody }
      try {
        msg = JSON.parse(line)
      } catch {
        continue
      }
      if (typeof msg.id !== 'number') continue
      const waiter = this.waiting.get(msg.id)
      if (waiter == null) continue
      this.waiting.delete(msg.id)
      if (msg.error != null) waiter.reject(new ControlClientError(msg.error.message, msg.error.code))
      else waiter.resolve(msg.result)
    }
  }

  private failAll (err: Error): void {
    for (const w of this.waiting.values()) w.reject(err)
    this.waiting.clear()
  }
}
