/**
 * End-to-end sessions between AP addresses over routing tunnels (PROTOCOL.md
 * §8): one session per remote AP address, reused by every stream and
 * datagram to it. Outbound: an outbound tunnel through one of this node's
 * exit paths, the target's AP record (sent by the exit node, verified here)
 * gives its e2e key, then Noise IK as initiator. Inbound: every tunnel that
 * arrives through an entry path gets Noise IK as responder (replays and
 * stale handshakes are dropped silently). Streams the peer opens go to the
 * exposed services; datagrams go to whoever listens ('datagram').
 */
import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import type { Ed25519KeyPair } from '../../crypto/signing.js'
import type { X25519KeyPair } from '../../crypto/keyAgreement.js'
import type { Logger } from '../../logging/logger.js'
import { formatApAddress } from '../../netdb/apAddress.js'
import { apRecordKey } from '../../netdb/recordKeys.js'
import { validateApRecord } from '../../netdb/recordValidators.js'
import type { OwnerTunnelDuplex } from '../../tunnel/service/ownerTunnelDuplex.js'
import { acceptSession, connectSession } from '../establishSession.js'
import { ReplayCache } from '../handshake/replayCache.js'
import type { Session, SessionOptions } from '../streams/session.js'
import type { PhantomStream } from '../streams/phantomStream.js'
import { ExposedServices, type ExposedService } from './exposedServices.js'

export interface SessionTunnels {
  openOutbound: (target: Buffer, options: { signal?: AbortSignal }) => Promise<OwnerTunnelDuplex>
  on: (event: 'inbound', listener: (duplex: OwnerTunnelDuplex) => void) => unknown
}

export interface SessionServiceDeps {
  tunnels: SessionTunnels
  routing: Ed25519KeyPair
  e2e: X25519KeyPair
  services: readonly ExposedService[]
  log: Logger
  sessionOptions?: SessionOptions
  clock?: () => number
}

export interface SessionSummary {
  peer: string
  direction: 'outbound' | 'inbound'
  streams: number
  ageMs: number
  bytesSent: number
  bytesReceived: number
  /** IP packets from the TUN interface dropped because the tunnel was congested. */
  datagramsDropped: number
}

interface LiveSession {
  session: Session
  duplex: OwnerTunnelDuplex
  direction: 'outbound' | 'inbound'
  startedAt: number
}

export class SessionConnectError extends Error {
  override name = 'SessionConnectError'
}

export interface SessionServiceEvents {
  /** A datagram (one IP packet) from an authenticated peer AP address. */
  datagram: [peerAp: Buffer, packet: Buffer, session: Session]
  session: [peerAp: Buffer, session: Session]
}

export class SessionService extends EventEmitter<SessionServiceEvents> {
  private readonly live = new Map<string, LiveSession[]>()
  private readonly connecting = new Map<string, Promise<Session>>()
  private readonly replayCache = new ReplayCache()
  readonly exposed: ExposedServices
  private readonly clock: () => number
  private stopped = false
  handshakeFailures = 0

  constructor (private readonly deps: SessionServiceDeps) {
    super()
    this.clock = deps.clock ?? Date.now
    this.exposed = new ExposedServices(deps.services, deps.log)
    deps.tunnels.on('inbound', (duplex) => { this.acceptInbound(duplex) })
  }

  /** The live session to `ap`, or a new one (concurrent callers share one attempt). */
  async connect (ap: Buffer, signal?: AbortSignal): Promise<Session> {
    if (this.stopped) throw new SessionConnectError('node stopping')
    const key = ap.toString('hex')
    const existing = this.current(key)
    if (existing != null) return existing
    let attempt = this.connecting.get(key)
    if (attempt == null) {
      attempt = this.connectNew(ap).finally(() => { this.connecting.delete(key) })
      this.connecting.set(key, attempt)
    }
    if (signal == null) return await attempt
    return await Promise.race([attempt, new Promise<never>((_resolve, reject) => {
      if (signal.aborted) reject(new SessionConnectError('cancelled'))
      signal.addEventListener('abort', () => { reject(new SessionConnectError('cancelled')) }, { once: true })
    })])
  }

  /** A stream to `port` on `ap`'s AP address. */
  async openStream (ap: Buffer, port: number, signal?: AbortSignal): Promise<PhantomStream> {
    const session = await this.connect(ap, signal)
    return session.openStream(port)
  }

  list (): SessionSummary[] {
    const now = this.clock()
    const out: SessionSummary[] = []
    for (const sessions of this.live.values()) {
      for (const s of sessions) {
        out.push({
          peer: formatApAddress(s.session.peer.apAddress),
          direction: s.direction,
          streams: s.session.activeStreamCount,
          ageMs: now - s.startedAt,
          bytesSent: s.duplex.bytesSent,
          bytesReceived: s.duplex.bytesReceived,
          datagramsDropped: s.session.datagramsDropped
        })
      }
    }
    return out
  }

  get count (): number {
    let n = 0
    for (const sessions of this.live.values()) n += sessions.length
    return n
  }

  /** Ends every session (GOAWAY) and refuses new ones. */
  stop (): void {
    this.stopped = true
    for (const sessions of this.live.values()) for (const s of sessions) s.session.close()
    this.live.clear()
  }

  private current (key: string): Session | null {
    const sessions = this.live.get(key)
    if (sessions == null) return null
    for (let i = sessions.length - 1; i >= 0; i--) {
      const s = sessions[i]!.session
      if (!s.isClosed) return s
    }
    return null
  }

  /**
   * Measures the way to `ap`: with `fresh`, a new tunnel and session just for
   * this (closed afterwards), timing the tunnel setup (probe to confirmation,
   * key search included) and the handshake; then one PING round trip.
   */
  async probe (ap: Buffer, options: { fresh: boolean }): Promise<{ tunnelMs: number | null, handshakeMs: number | null, rttMs: number }> {
    if (!options.fresh) {
      const session = await this.connect(ap)
      return { tunnelMs: null, handshakeMs: null, rttMs: await session.ping() }
    }
    const timings = { tunnelMs: 0, handshakeMs: 0 }
    const session = await this.connectNew(ap, timings)
    try {
      return { ...timings, rttMs: await session.ping() }
    } finally {
      session.close()
    }
  }

  private async connectNew (ap: Buffer, timings?: { tunnelMs: number, handshakeMs: number }): Promise<Session> {
    const started = performance.now()
    const duplex = await this.deps.tunnels.openOutbound(ap, {})
    const tunnelAt = performance.now()
    if (timings != null) timings.tunnelMs = tunnelAt - started
    try {
      const recordBytes = await duplex.targetRecord()
      // the exit node could lie: the record must be valid, current, and for this very address
      const record = validateApRecord(apRecordKey(ap), recordBytes, this.clock())
      const session = await connectSession(duplex, {
        ...this.deps.sessionOptions,
        e2eKeyPair: this.deps.e2e,
        routingKeyPair: this.deps.routing,
        responderE2ePublicKey: Buffer.from(record.e2ePub),
        responderApAddress: ap
      })
      if (timings != null) timings.handshakeMs = performance.now() - tunnelAt
      this.register(session, duplex, 'outbound')
      return session
    } catch (err) {
      duplex.close(err as Error)
      throw err
    }
  }

  private acceptInbound (duplex: OwnerTunnelDuplex): void {
    if (this.stopped) { duplex.close(new Error('node stopping')); return }
    acceptSession(duplex, { ...this.deps.sessionOptions, e2eKeyPair: this.deps.e2e, replayCache: this.replayCache })
      .then((session) => { this.register(session, duplex, 'inbound') })
      .catch((err: Error) => {
        this.handshakeFailures++
        this.deps.log.debug('inbound session handshake failed', { err: err.message })
      })
  }

  private register (session: Session, duplex: OwnerTunnelDuplex, direction: 'outbound' | 'inbound'): void {
    const peerAp = Buffer.from(session.peer.apAddress)
    const key = peerAp.toString('hex')
    const entry: LiveSession = { session, duplex, direction, startedAt: this.clock() }
    const list = this.live.get(key) ?? []
    list.push(entry)
    this.live.set(key, list)
    session.on('stream', (stream) => { this.exposed.accept(stream) })
    session.on('datagram', (packet) => { this.emit('datagram', peerAp, packet, session) })
    session.on('close', (error) => {
      const remaining = (this.live.get(key) ?? []).filter((e) => e !== entry)
      if (remaining.length === 0) this.live.delete(key)
      else this.live.set(key, remaining)
      this.deps.log.info('session closed', { peer: formatApAddress(peerAp), direction, err: error?.message })
    })
    this.deps.log.info('session established', { peer: formatApAddress(peerAp), direction })
    this.emit('session', peerAp, session)
  }
}
