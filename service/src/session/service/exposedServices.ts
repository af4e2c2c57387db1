/**
 * `services: [{port, target: "host:port"}]` (PROTOCOL.md §9): a port of this
 * node's AP address mapped to a local TCP service. A stream the peer opens
 * to a mapped port is joined to a new TCP connection to the target; any
 * other port is refused (STREAM_CLOSE with REFUSED_STREAM), as is a target
 * that does not answer (CONNECT_ERROR).
 */
import { connect, type Socket } from 'node:net'
import type { Logger } from '../../logging/logger.js'
import { ErrorCode } from '../frames/errorCode.js'
import type { PhantomStream } from '../streams/phantomStream.js'

export interface ExposedService {
  port: number
  host: string
  targetPort: number
}

const CONNECT_TIMEOUT_MS = 10_000

export class ExposedServices {
  private readonly byPort = new Map<number, ExposedService>()
  accepted = 0
  refused = 0

  constructor (services: readonly ExposedService[], private readonly log: Logger) {
    for (const s of services) this.byPort.set(s.port, s)
  }

  get ports (): number[] {
    return [...this.byPort.keys()].sort((a, b) => a - b)
  }

  /** Takes a stream the peer opened. */
  accept (stream: PhantomStream): void {
    const service = this.byPort.get(stream.port)
    if (service == null) {
      this.refused++
      stream.reset(ErrorCode.REFUSED_STREAM)
      return
    }
    this.accepted++
    const socket: Socket = connect({ host: service.host, port: service.targetPort })
    socket.setNoDelay(true)
    const timer = setTimeout(() => { socket.destroy(new Error('service did not answer')) }, CONNECT_TIMEOUT_MS)
    timer.unref()
    let connected = false
    socket.once('connect', () => {
      connected = true
      clearTimeout(timer)
      stream.pipe(socket)
      socket.pipe(stream)
    })
    socket.on('error', (err) => {
      clearTimeout(timer)
      this.log.debug('exposed service connection failed', { port: stream.port, err: err.message })
      if (!stream.destroyed) stream.reset(connected ? ErrorCode.CANCEL : ErrorCode.CONNECT_ERROR)
    })
    stream.on('error', () => { socket.destroy() })
    stream.on('close', () => { if (!socket.destroyed && !connected) socket.destroy() })
    socket.on('close', () => { if (!stream.destroyed && !stream.writableEnded) stream.end() })
  }
}
