/**
 * What the path service's parts share: the libp2p host (only the calls the
 * path layer makes), settings, the node's path-building keys, logging, the
 * clock, and test hooks.
 */
import type { Libp2p } from '@libp2p/interface'
import type { X25519KeyPair } from '../../crypto/index.js'
import type { Logger } from '../../logging/logger.js'
import type { MemberIdentity } from '../member/memberState.js'
import type { PeerRef } from '../setup/peerRef.js'
import type { PathSettings } from './pathDefaults.js'

/** The libp2p calls the path layer makes; a PhantomHost (or any libp2p 3 node) satisfies it. */
export type PathHost = Pick<Libp2p, 'peerId' | 'handle' | 'unhandle' | 'dial' | 'dialProtocol' | 'getMultiaddrs' | 'getConnections'>

/** One event on a setup or link stream, as this node saw it (instrumentation for tests). */
export interface WireEvent {
  protocol: 'setup' | 'link'
  /** Local identifier of the stream, unique within this node. */
  stream: string
  /** Who opened the stream: 'inbound' = the remote did. */
  direction: 'inbound' | 'outbound'
  event: 'open' | 'recv' | 'send'
  bytes: number
  remotePeer: string
}

/** What a ring member decrypted about its neighbours (instrumentation for tests). */
export interface MemberStateEvent {
  round: 1 | 2
  role: 'X' | 'Y'
  /** Round 1: ring neighbours, previous then next. Round 2: an X-node's final path neighbours, in the canonical order of its package (none for a Y-node). */
  neighbours: string[]
  terminating: boolean
}

export type ForwardInterception =
  | { action: 'send', linkId: Buffer, arrayBytes: Buffer }
  | { action: 'drop' }
  /** The hook delivered (or withheld) the message itself, e.g. from another host. */
  | { action: 'handled' }

export interface ForwardContext {
  round: 1 | 2
  next: PeerRef
  linkOut: Buffer
  outArray: Buffer
}

/** Test hooks: never set in production. */
export interface PathTestHooks {
  onWire?: (event: WireEvent) => void
  onMemberState?: (event: MemberStateEvent) => void
  /** A misbehaving member: replaces, drops or takes over what this node forwards. */
  interceptForward?: (context: ForwardContext) => Promise<ForwardInterception> | ForwardInterception
  /** Owner: force the ring orientation. */
  forceReverse?: boolean
  /** Owner: force who sends the first ready block when linking. */
  forceReadyFirst?: 'owner' | 'terminating'
}

export interface PathRuntime {
  host: PathHost
  settings: PathSettings
  log: Logger
  clock: () => number
  hooks: PathTestHooks
  usablePbkKeys: () => X25519KeyPair[]
  /** This node's PeerId multihash bytes. */
  selfPeerId: Buffer
  /** Stream ids for instrumentation. */
  nextStreamTag: () => string
}

export function memberIdentity (rt: PathRuntime): MemberIdentity {
  return { pbkKeyPairs: rt.usablePbkKeys(), peerId: rt.selfPeerId }
}
