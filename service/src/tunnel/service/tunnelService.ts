/**
 * Routing tunnels over the real network (PROTOCOL.md §7): takes over the
 * link streams of the paths this node relays and owns (the path service
 * hands them over once linked), registers /phantom/tunnel/1.0.0 and
 * /phantom/apconnect/1.0.0, and offers the owner's two operations: open an
 * outbound tunnel to an AP address through one of its exit paths, and
 * receive inbound tunnels through its entry paths ('inbound' event).
 */
import { EventEmitter } from 'node:events'
import type { Connection, Stream } from '@libp2p/interface'
import { constantTimeEqual, randomInt } from '../../crypto/index.js'
import { PHANTOM_APCONNECT_PROTOCOL, PHANTOM_TUNNEL_PROTOCOL } from '../../link/phantomProtocols.js'
import type { Logger } from '../../logging/logger.js'
import { peerIdBytes, peerIdOfBytes } from '../../path/network/peerAddressing.js'
import { resetQuietly } from '../../path/network/streamSend.js'
import type { RelayedPathHandle } from '../../path/service/memberLinks.js'
import type { OwnedPathHandle, PathTunnelListener } from '../../path/service/pathService.js'
import type { PeerRef } from '../../path/setup/peerRef.js'
import { AP_CONNECT_BLOCK_BYTES, decodeApConnectRequest } from '../network/apConnectBlocks.js'
import { decodeTunnelStreamHello, TUNNEL_HELLO_BYTES } from '../network/tunnelStreamHello.js'
import type { KeySearcher } from '../search/keySearcher.js'
import { OwnerPathTunnels, TunnelRequestError } from './ownerPathTunnels.js'
import type { OwnerTunnelDuplex } from './ownerTunnelDuplex.js'
import type { ApConnectEnd } from './localApConnect.js'
import { RelayedPathTunnels } from './relayedPathTunnels.js'
import { setupReader } from './streamSteps.js'
import { DEFAULT_TUNNEL_SETTINGS, type ResolvedApRecord, type TunnelCounters, type TunnelHost, type TunnelRuntime, type TunnelSettings, type TunnelTestHooks } from './tunnelRuntime.js'

export interface TunnelServiceDeps {
  host: TunnelHost
  log: Logger
  searcher: KeySearcher
  resolveApRecord: (ap: Buffer, signal: AbortSignal) => Promise<ResolvedApRecord | null>
  /** This node's own AP addresses (inbound tunnels must name one of them). */
  ownApAddresses: () => Buffer[]
  settings?: Partial<TunnelSettings>
  hooks?: TunnelTestHooks
}

export interface TunnelServiceEvents {
  inbound: [duplex: OwnerTunnelDuplex]
}

export interface TunnelSummary {
  /** Tunnels with a stream at this node (relayed hops, exit/entry ends, own ends). */
  live: number
  counters: TunnelCounters
  relayedPaths: number
  ownedPaths: { exit: number, entry: number }
}

type LinkEntry =
  | { kind: 'relayed', tunnels: RelayedPathTunnels, side: 'a' | 'b', peer: PeerRef }
  | { kind: 'owned', tunnels: OwnerPathTunnels }

/** A tunnel stream must bring its hello within this. */
const HELLO_TIMEOUT_MS = 30_000

export class TunnelService extends EventEmitter<TunnelServiceEvents> implements PathTunnelListener {
  private readonly rt: TunnelRuntime
  private readonly byLinkId = new Map<string, LinkEntry>()
  private readonly relayed = new Set<RelayedPathTunnels>()
  private readonly owned = new Map<string, OwnerPathTunnels>()
  private serial = 0
  private started = false

  constructor (private readonly deps: TunnelServiceDeps) {
    super()
    this.rt = {
      host: deps.host,
      settings: { ...DEFAULT_TUNNEL_SETTINGS, ...deps.settings },
      log: deps.log,
      searcher: deps.searcher,
      resolveApRecord: deps.resolveApRecord,
      localApConnect: (ap, local) => this.startInboundHere(ap, { kind: 'local', local }),
      hooks: deps.hooks ?? {},
      counters: { relayed: 0, ended: 0, ownedOutbound: 0, ownedInbound: 0, setupFailures: 0, droppedBlocks: 0 },
      live: { count: 0 }
    }
  }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    const limits = { maxInboundStreams: 1024, maxOutboundStreams: 1024, runOnLimitedConnection: false }
    await this.deps.host.handle(PHANTOM_TUNNEL_PROTOCOL, this.onTunnelStream, limits)
    await this.deps.host.handle(PHANTOM_APCONNECT_PROTOCOL, this.onApConnectStream, limits)
  }

  async stop (): Promise<void> {
    if (this.started) await this.deps.host.unhandle([PHANTOM_TUNNEL_PROTOCOL, PHANTOM_APCONNECT_PROTOCOL]).catch(() => {})
    this.started = false
    for (const r of this.relayed) r.close()
    for (const o of this.owned.values()) o.close()
    this.relayed.clear()
    this.owned.clear()
    this.byLinkId.clear()
  }

  summary (): TunnelSummary {
    const owned = [...this.owned.values()]
    return {
      live: this.rt.live.count,
      counters: { ...this.rt.counters },
      relayedPaths: this.relayed.size,
      ownedPaths: { exit: owned.filter((o) => o.kind === 'exit').length, entry: owned.filter((o) => o.kind === 'entry').length }
    }
  }

  // --- PathTunnelListener ---

  relayedPathLinked (handle: RelayedPathHandle): void {
    const tunnels = new RelayedPathTunnels(this.rt, handle, ++this.serial)
    this.relayed.add(tunnels)
    const keys: string[] = []
    for (const { linkId, side, peer } of tunnels.linkIds()) {
      const key = linkId.toString('hex')
      keys.push(key)
      this.byLinkId.set(key, { kind: 'relayed', tunnels, side, peer })
    }
    handle.onClose(() => {
      tunnels.close()
      this.relayed.delete(tunnels)
      for (const key of keys) if (this.byLinkId.get(key)?.kind === 'relayed') this.byLinkId.delete(key)
    })
  }

  ownedPathReady (handle: OwnedPathHandle): void {
    const tunnels = new OwnerPathTunnels(this.rt, handle, this.deps.ownApAddresses, (duplex) => { this.emit('inbound', duplex) })
    this.owned.set(handle.id, tunnels)
    const key = tunnels.firstLinkId.toString('hex')
    this.byLinkId.set(key, { kind: 'owned', tunnels })
    handle.onClose(() => {
      tunnels.close()
      this.owned.delete(handle.id)
      if (this.byLinkId.get(key)?.kind === 'owned') this.byLinkId.delete(key)
    })
  }

  // --- owner API ---

  /** The X-nodes (PeerId text, X1 first) of every own path carrying tunnels (tests, diagnostics). */
  ownedPathMembers (): Array<{ id: string, kind: 'exit' | 'entry', hops: string[] }> {
    return [...this.owned.values()].filter((o) => !o.isClosed).map((o) => ({ id: o.id, kind: o.kind, hops: o.handle.hops.map((h) => peerIdOfBytes(h.peer.peerId).toString()) }))
  }

  /** Ready exit paths (for tests and status). */
  exitPathIds (): string[] {
    return [...this.owned.values()].filter((o) => o.kind === 'exit' && !o.isClosed).map((o) => o.id)
  }

  /**
   * An outbound tunnel to `target` through a random ready exit path; another
   * exit path is tried when one fails. Resolves once the exit node's
   * confirmation checked; the target's AP record follows as the first data.
   */
  async openOutbound (target: Buffer, options: { signal?: AbortSignal, attempts?: number } = {}): Promise<OwnerTunnelDuplex> {
    const exits = [...this.owned.values()].filter((o) => o.kind === 'exit' && !o.isClosed)
    if (exits.length === 0) throw new TunnelRequestError('no ready exit path')
    // a failure is often transient (the exit node's DHT lookup missed the record): try again, another path first
    const attempts = options.attempts ?? 3
    let last: Error = new TunnelRequestError('no attempt')
    const start = randomInt(exits.length)
    for (let i = 0; i < attempts; i++) {
      const path = exits[(start + i) % exits.length]!
      try {
        return await path.openOutbound(target, options.signal)
      } catch (err) {
        last = err as Error
        if (options.signal?.aborted === true) break
        this.rt.log.debug('outbound tunnel failed', { path: path.id, err: last.message })
      }
    }
    throw last
  }

  // --- stream handlers ---

  private readonly onTunnelStream = (stream: Stream, connection: Connection): void => {
    const reader = setupReader(stream, TUNNEL_HELLO_BYTES)
    void reader.read(TUNNEL_HELLO_BYTES, HELLO_TIMEOUT_MS).then((bytes) => {
      const hello = decodeTunnelStreamHello(bytes)
      const entry = this.byLinkId.get(hello.linkId.toString('hex'))
      if (entry == null) throw new Error('tunnel stream for an unknown link')
      const remote = peerIdBytes(connection.remotePeer)
      if (entry.kind === 'owned') {
        if (!constantTimeEqual(remote, entry.tunnels.firstHopPeerId)) throw new Error('tunnel stream from the wrong peer')
        entry.tunnels.acceptTunnelStream(stream, reader, hello)
      } else {
        if (!constantTimeEqual(remote, entry.peer.peerId)) throw new Error('tunnel stream from the wrong peer')
        entry.tunnels.acceptTunnelStream(entry.side, stream, reader, hello)
      }
    }).catch((err: Error) => {
      this.rt.counters.setupFailures++
      reader.detach()
      resetQuietly(stream, 'tunnel stream refused')
      this.rt.log.debug('tunnel stream refused', { err: err.message })
    })
  }

  /** Entry node: an inbound tunnel for `ap` through one of the entry paths this node terminates, joined to `end`. */
  private startInboundHere (ap: Buffer, end: ApConnectEnd): boolean {
    // the newest entry path for this address first (older ones may be about to rotate)
    const candidates = [...this.relayed].filter((r) => r.servesAp(ap)).reverse()
    for (const candidate of candidates) if (candidate.startInbound(end)) return true
    return false
  }

  private readonly onApConnectStream = (stream: Stream): void => {
    const reader = setupReader(stream, AP_CONNECT_BLOCK_BYTES)
    void reader.read(AP_CONNECT_BLOCK_BYTES, HELLO_TIMEOUT_MS).then((bytes) => {
      const ap = decodeApConnectRequest(bytes)
      reader.detach()
      if (!this.startInboundHere(ap, { kind: 'stream', stream })) throw new Error('no entry path for this AP address here')
    }).catch((err: Error) => {
      reader.detach()
      resetQuietly(stream, 'apconnect refused')
      this.rt.log.debug('apconnect refused', { err: err.message })
    })
  }
}
