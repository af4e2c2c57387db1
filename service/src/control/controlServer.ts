import { createServer, createConnection, type Server, type Socket } from 'node:net'
import { chmod, mkdir, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Logger } from '../logging/logger.js'
import { CONTROL_IDLE_TIMEOUT_MS, CONTROL_MAX_CLIENTS, CONTROL_MAX_LINE_BYTES, ControlMethodError, parseControlRequest, type ControlResponse } from './controlProtocol.js'

export type ControlMethod = (params: Record<string, unknown>) => Promise<unknown>

/**
 * Serves the control socket: mode 0660 so the `phantom` group (phantomctl)
 * can use it. Malformed requests get an error answer; a client that sends an
 * over-long line is disconnected; nothing a client sends can crash the daemon.
 */
export class ControlServer {
  private server: Server | undefined
  private readonly clients = new Set<Socket>()

  constructor (private readonly path: string, private readonly methods: Map<string, ControlMethod>, private readonly log: Logger) {}

  async start (): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true })
    await removeStaleSocket(this.path)
    const server = createServer({ allowHalfOpen: false }, (socket) => { this.accept(socket) })
    server.maxConnections = CONTROL_MAX_CLIENTS
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.path, () => { server.off('error', reject); resolve() })
    })
    server.on('error', (err) => { this.log.warn('control socket error', { err }) })
    await chmod(this.path, 0o660)
    this.server = server
  }

  private accept (socket: Socket): void {
    this.clients.add(socket)
    socket.setTimeout(CONTROL_IDLE_TIMEOUT_MS, () => socket.destroy())
    socket.on('close', () => this.clients.delete(socket))
    socket.on('error', () => {})
    let pending = ''
    let queue = Promise.resolve()
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      pending += chunk
      if (pending.length > CONTROL_MAX_LINE_BYTES) {
        socket.end(JSON.stringify({ id: null, error: { code: 'bad-request', message: 'request line too long' } }) + '\n')
        socket.destroy()
        return
      }
      let newline: number
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline)
        pending = pending.slice(newline + 1)
        if (line.trim() === '') continue
        queue = queue.then(async () => { await this.answer(socket, line) })
      }
    })
  }

  private async answer (socket: Socket, line: string): Promise<void> {
    const request = parseControlRequest(line)
    let response: ControlResponse
    if ('code' in request) {
      response = { id: null, error: request }
    } else {
      const method = this.methods.get(request.method)
      if (method == null) {
        response = { id: request.id, error: { code: 'unknown-method', message: `unknown method ${JSON.stringify(request.method)}` } }
      } else {
        try {
          response = { id: request.id, result: await method(request.params) }
        } catch (err) {
          const code = err instanceof ControlMethodError ? err.code : 'failed'
          if (!(err instanceof ControlMethodError)) this.log.warn('control method failed', { method: request.method, err })
          response = { id: request.id, error: { code, message: (err as Error).message } }
        }
      }
    }
    if (!socket.destroyed) socket.write(JSON.stringify(response) + '\n')
  }

  async stop (): Promise<void> {
    for (const c of this.clients) c.destroy()
    const server = this.server
    this.server = undefined
    if (server != null) await new Promise<void>((resolve) => server.close(() => resolve()))
    await unlink(this.path).catch(() => {})
  }
}

/** Removes a socket file left by a crashed daemon; refuses to steal a live one. */
async function removeStaleSocket (path: string): Promise<void> {
  const live = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path)
    probe.once('connect', () => { probe.destroy(); resolve(true) })
    probe.once('error', () => resolve(false))
  })
  if (live) throw new Error(`control socket ${path} is in use by another running daemon`)
  await unlink(path).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err })
}
