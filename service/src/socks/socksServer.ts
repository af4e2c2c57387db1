import { createServer, type Server, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { silentLogger, type Logger } from '../logging/logger.js'
import { formatApAddress } from '../netdb/apAddress.js'
import { encodeReply } from './socksCodec.js'
import { SocksReply } from './socksConstants.js'
import { PhantomConnectError, replyForConnectError } from './socksConnectError.js'
import { DEFAULT_MAX_EARLY_DATA_BYTES, SocksHandshake, type SocksHandshakeStep } from './socksHandshake.js'
import {
  assertLoopbackUnlessAllowed, formatListenAddress, parseListenAddress, type ListenAddress
} from './loopbackListenAddress.js'
import type { PhantomNameLookup, PhantomTarget } from './phantomTarget.js'

export const DEFAULT_SOCKS_LISTEN = '127.0.0.1:9080'
export const DEFAULT_SOCKS_HANDSHAKE_TIMEOUT_MS = 10_000
export const DEFAULT_SOCKS_CONNECT_TIMEOUT_MS = 60_000
export const DEFAULT_SOCKS_MAX_CLIENTS = 256

/**
 * Opens a stream to `target` inside the Phantom network (the tunnel and session
 * layers). Rejects with PhantomConnectError to choose the SOCKS reply; should
 * give up when `signal` aborts (client gone, or connect timeout).
 */
export type PhantomConnector = (target: PhantomTarget, options: { signal: AbortSignal }) => Promise<Duplex>

export interface SocksServerOptions {
  connect: PhantomConnector
  /** "HOST:PORT", literal address; default 127.0.0.1:9080. */
  listen?: string
  /** Required to listen on anything but loopback (the proxy has no authentication). */
  allowNonLoopback?: boolean
  /** Local petnames (hosts file); `.phantom` names and AP addresses need no lookup. */
  lookupName?: PhantomNameLookup
  handshakeTimeoutMs?: number
  connectTimeoutMs?: number
  maxClients?: number
  maxEarlyDataBytes?: number
  logger?: Logger
}

export interface SocksServerStats {
  accepted: number
  /** Turned away because `maxClients` were connected. */
  overLimit: number
  /** Closed during negotiation: malformed, unsupported command, refused destination, stalled. */
  rejected: number
  connectFailed: number
  relayed: number
}

interface ClientState {
  socket: Socket
  remote?: Duplex
  abort?: AbortController
}

/**
 * The SOCKS5 front door (RFC 1928, CONNECT only, no authentication) on
 * loopback. Destinations inside the Phantom network become `connect` calls;
 * every other destination is refused with REP 0x02 (PROTOCOL.md §10 invariant
 * 8). Each client lives on its own: a malformed or hostile one is answered
 * where the protocol allows and closed, and never affects the others.
 */
export class SocksServer {
  readonly stats: SocksServerStats = { accepted: 0, overLimit: 0, rejected: 0, connectFailed: 0, relayed: 0 }
  private readonly listenAddress: ListenAddress
  private readonly clients = new Set<ClientState>()
  private readonly logger: Logger
  private readonly handshakeTimeoutMs: number
  private readonly connectTimeoutMs: number
  private readonly maxClients: number
  private readonly maxEarlyDataBytes: number
  private server: Server | undefined

  constructor (private readonly options: SocksServerOptions) {
    this.listenAddress = parseListenAddress(options.listen ?? DEFAULT_SOCKS_LISTEN)
    assertLoopbackUnlessAllowed(this.listenAddress, options.allowNonLoopback === true, 'SOCKS server')
    this.logger = options.logger ?? silentLogger
    this.handshakeTimeoutMs = positiveInteger(options.handshakeTimeoutMs ?? DEFAULT_SOCKS_HANDSHAKE_TIMEOUT_MS, 'handshakeTimeoutMs')
    this.connectTimeoutMs = positiveInteger(options.connectTimeoutMs ?? DEFAULT_SOCKS_CONNECT_TIMEOUT_MS, 'connectTimeoutMs')
    this.maxClients = positiveInteger(options.maxClients ?? DEFAULT_SOCKS_MAX_CLIENTS, 'maxClients')
    this.maxEarlyDataBytes = positiveInteger(options.maxEarlyDataBytes ?? DEFAULT_MAX_EARLY_DATA_BYTES, 'maxEarlyDataBytes')
  }

  get clientCount (): number { return this.clients.size }

  /** The bound address (after start, with the real port when 0 was asked). */
  address (): ListenAddress {
    const bound = this.server?.address()
    if (bound == null || typeof bound === 'string') throw new Error('SOCKS server is not listening')
    return { host: bound.address, port: bound.port }
  }

  async start (): Promise<void> {
    if (this.server !== undefined) throw new Error('SOCKS server already started')
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => { this.accept(socket) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: this.listenAddress.host, port: this.listenAddress.port, exclusive: true }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (error) => { this.logger.error('SOCKS server error', { error }) })
    this.server = server
    this.logger.info('SOCKS server listening', { listen: formatListenAddress(this.address()) })
  }

  /** Stops listening and closes every client and its stream. */
  async stop (): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    const closed = new Promise<void>(resolve => { server.close(() => { resolve() }) })
    for (const client of this.clients) this.dropClient(client)
    await closed
  }

  private accept (socket: Socket): void {
    socket.on('error', (error) => { this.logger.debug('SOCKS client socket error', { error }) })
    if (this.clients.size >= this.maxClients) {
      this.stats.overLimit++
      socket.destroy()
      return
    }
    this.stats.accepted++
    const client: ClientState = { socket }
    this.clients.add(client)
    socket.once('close', () => {
      this.clients.delete(client)
      client.abort?.abort(new Error('SOCKS client went away'))
    })
    this.negotiate(client)
  }

  private negotiate (client: ClientState): void {
    const { socket } = client
    const handshake = new SocksHandshake({ lookupName: this.options.lookupName, maxEarlyDataBytes: this.maxEarlyDataBytes })
    const timer = setTimeout(() => {
      stopNegotiating()
      const answer = handshake.abandon()
      this.stats.rejected++
      this.closeWith(client, 'handshake timed out', answer === undefined ? [] : [answer])
    }, this.handshakeTimeoutMs)
    const stopNegotiating = (): void => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('end', onEnd)
    }
    const onData = (chunk: Buffer): void => {
      let step: SocksHandshakeStep
      try {
        step = handshake.push(chunk)
      } catch (error) {
        // A bug here must cost one client, never the daemon.
        stopNegotiating()
        this.logger.error('SOCKS handshake failed unexpectedly', { error })
        socket.destroy()
        return
      }
      const result = step.result
      if (result.kind === 'more') {
        for (const bytes of step.send) socket.write(bytes)
        return
      }
      stopNegotiating()
      if (result.kind === 'close') {
        this.stats.rejected++
        this.closeWith(client, result.reason, step.send)
        return
      }
      for (const bytes of step.send) socket.write(bytes)
      this.connectTarget(client, result.target, result.early).catch((error: unknown) => {
        this.logger.error('SOCKS connect handling failed unexpectedly', { error })
        client.remote?.destroy()
        socket.destroy()
      })
    }
    const onEnd = (): void => {
      // The client finished sending before it finished negotiating.
      stopNegotiating()
      handshake.abandon()
      this.stats.rejected++
      this.closeWith(client, 'client closed during negotiation', [])
    }
    socket.on('data', onData)
    socket.on('end', onEnd)
    socket.once('close', () => { clearTimeout(timer) })
  }

  /** Writes the answer, closes our side, and discards whatever the client still sends until it closes (bounded by the handshake timeout). */
  private closeWith (client: ClientState, reason: string, answer: Buffer[]): void {
    const { socket } = client
    this.logger.debug('SOCKS client closed', { reason, remotePort: socket.remotePort })
    if (socket.destroyed) return
    for (const bytes of answer) socket.write(bytes)
    socket.end()
    socket.on('data', discard)
    socket.resume()
    const linger = setTimeout(() => { socket.destroy() }, this.handshakeTimeoutMs)
    socket.once('close', () => { clearTimeout(linger) })
  }

  /**
   * While `connect` runs the client is still read, so that its going away (or
   * ending its side) aborts the attempt; what it sends meanwhile is kept for the
   * stream, up to `maxEarlyDataBytes` (more → REP 0x01 and close).
   */
  private async connectTarget (client: ClientState, target: PhantomTarget, firstEarly: Buffer): Promise<void> {
    const { socket } = client
    const abort = new AbortController()
    client.abort = abort
    const early: Buffer[] = firstEarly.length > 0 ? [firstEarly] : []
    let earlyBytes = firstEarly.length
    const onData = (chunk: Buffer): void => {
      if (abort.signal.aborted) return
      early.push(chunk)
      earlyBytes += chunk.length
      if (earlyBytes > this.maxEarlyDataBytes) abort.abort(new EarlyDataLimitError(earlyBytes))
    }
    // An end before the reply: a client cannot be told apart from one that is gone.
    const onEnd = (): void => { abort.abort(new Error('client closed before its reply')) }
    socket.on('data', onData)
    socket.on('end', onEnd)
    socket.resume()

    let timer: NodeJS.Timeout | undefined
    const gaveUp = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        abort.abort(new PhantomConnectError('host-unreachable', `no connection after ${this.connectTimeoutMs} ms`))
      }, this.connectTimeoutMs)
      abort.signal.addEventListener('abort', () => { reject(abort.signal.reason) }, { once: true })
    })
    gaveUp.catch(() => {})
    const attempt = Promise.resolve().then(async () => await this.options.connect(target, { signal: abort.signal }))
    // A connect that resolves after we gave up must not leak its stream.
    attempt.then((late) => { if (abort.signal.aborted) discardStream(late) }, () => {})
    let remote: Duplex
    try {
      remote = await Promise.race([attempt, gaveUp])
    } catch (error) {
      if (!abort.signal.aborted) abort.abort(error)
      socket.off('data', onData)
      socket.off('end', onEnd)
      if (socket.destroyed) return
      this.stats.connectFailed++
      const reply = replyForConnectError(error)
      this.logger.debug('SOCKS connect failed', { ap: formatApAddress(target.ap), port: target.port, error, reply })
      this.closeWith(client, error instanceof EarlyDataLimitError ? error.message : 'connect failed', [encodeReply(reply)])
      return
    } finally {
      clearTimeout(timer)
    }
    socket.pause()
    socket.off('data', onData)
    socket.off('end', onEnd)
    if (socket.destroyed || abort.signal.aborted) {
      discardStream(remote)
      return
    }
    client.remote = remote
    this.stats.relayed++
    socket.write(encodeReply(SocksReply.succeeded))
    this.relay(socket, remote, Buffer.concat(early))
  }

  /**
   * Both directions with back-pressure (pipe pauses the faster side), half-close
   * passed on (an end on one side ends the other's writable side), and any
   * abort or error on one side destroys the other.
   */
  private relay (socket: Socket, remote: Duplex, early: Buffer): void {
    remote.on('error', (error) => {
      this.logger.debug('SOCKS remote stream error', { error })
      socket.destroy()
    })
    socket.on('error', () => { remote.destroy() })
    remote.once('close', () => { if (!remote.readableEnded) socket.destroy() })
    socket.once('close', () => { if (!socket.readableEnded) remote.destroy() })
    if (early.length > 0) remote.write(early)
    socket.pipe(remote)
    remote.pipe(socket)
  }

  private dropClient (client: ClientState): void {
    client.abort?.abort(new Error('SOCKS server stopping'))
    client.remote?.destroy()
    client.socket.destroy()
  }
}

function discard (): void {}

/** Destroys a stream we will not use; an error it still reports must not go unhandled. */
function discardStream (stream: Duplex): void {
  stream.on('error', discard)
  stream.destroy()
}

class EarlyDataLimitError extends Error {
  constructor (bytes: number) {
    super(`client sent ${bytes} bytes before its reply`)
    this.name = 'EarlyDataLimitError'
  }
}

function positiveInteger (value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`SOCKS server: ${name} must be a positive integer, got ${value}`)
  return value
}
