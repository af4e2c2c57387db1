/**
 * What the tunnel service's parts share: the libp2p calls they make, the
 * owner's key search, the AP-record lookup the exit node does, settings,
 * logging, counters and test hooks.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Logger } from '../../logging/logger.js'
import type { LayerObserver } from '../hop/hopTunnel.js'
import type { KeySearcher } from '../search/keySearcher.js'
import type { LocalApConnect } from './localApConnect.js'

export type TunnelHost = Pick<Libp2p, 'peerId' | 'handle' | 'unhandle' | 'dialProtocol' | 'getConnections'>

/** A verified AP record found in the network database: its bytes and entry nodes. */
export interface ResolvedApRecord {
  bytes: Buffer
  entryNodes: Array<{ peerId: Uint8Array, multiaddrs: Uint8Array[] }>
}

export interface TunnelSettings {
  /** Each setup step (a block or a stream to arrive) must complete within this. */
  setupStepTimeoutMs: number
  /** An outbound tunnel request (probe sent → confirmation) must complete within this. */
  requestTimeoutMs: number
  /** One apconnect attempt (dial, entry node's inbound tunnel, accept). */
  apConnectTimeoutMs: number
  /** A tunnel without a byte in either direction for this long is closed. */
  idleMs: number
  /** Tunnels this node relays or ends at once (each hop of each tunnel counts). */
  maxTunnels: number
  /** Key searches waiting for the worker; more inbound requests are dropped. */
  maxPendingSearches: number
}

export const DEFAULT_TUNNEL_SETTINGS: TunnelSettings = {
  setupStepTimeoutMs: 60_000,
  requestTimeoutMs: 90_000,
  apConnectTimeoutMs: 30_000,
  idleMs: 5 * 60_000,
  maxTunnels: 4096,
  maxPendingSearches: 32
}

/** Test hooks: never set in production. */
export interface TunnelTestHooks {
  /** Sees every keystream range every layer of this node uses (invariant 7). */
  layerObserver?: (role: string) => LayerObserver | undefined
  /** Sees every setup event at this node as a relay (invariant 3). */
  onRelayEvent?: (event: RelayEvent) => void
  /** A misbehaving relay: may change relayed data chunks in place (invariant 6). */
  tamperRelayedChunk?: (chunk: Buffer) => void
}

/** One step a relay takes during tunnel setup, as it sees it. */
export interface RelayEvent {
  path: string
  /** Which neighbour, in the canonical order of the path package ('a' = the smaller PeerId; the terminating node has only 'a'). */
  side: 'a' | 'b'
  /** That neighbour's PeerId (known to the relay; tests use it to check what the side labels depend on). */
  neighbour: string
  channel: 'link' | 'tunnel'
  op: 'recv' | 'send' | 'open' | 'accept'
  bytes: number
}

export interface TunnelCounters {
  relayed: number
  ended: number
  ownedOutbound: number
  ownedInbound: number
  setupFailures: number
  droppedBlocks: number
}

export interface TunnelRuntime {
  host: TunnelHost
  settings: TunnelSettings
  log: Logger
  searcher: KeySearcher
  /** The exit node's lookup of a target AP record (valid, unexpired), or null. */
  resolveApRecord: (ap: Buffer, signal: AbortSignal) => Promise<ResolvedApRecord | null>
  /** Entry node: start an inbound tunnel for `ap` joined to an exit side of this very node; false if no entry path here serves it. */
  localApConnect?: (ap: Buffer, local: LocalApConnect) => boolean
  hooks: TunnelTestHooks
  counters: TunnelCounters
  /** Live tunnels at this node (relayed hops and ends), bounded by settings.maxTunnels. */
  live: { count: number }
}
