import type { SetupRound } from '../setup/constants.js'
import type { PeerRef } from '../setup/peerRef.js'
import type { RingOrder } from '../ring/ringOrder.js'
import type { RingPeer } from '../ring/ringPeer.js'

/** One received (or predicted) setup message and who sent it. */
export interface SetupArrival {
  senderPeerId: Buffer
  linkId: Buffer
  arrayBytes: Buffer
}

export interface RoundPlan {
  round: SetupRound
  /** What the owner sends: to ring member 0, presenting `linkId`. */
  first: PeerRef
  linkId: Buffer
  arrayBytes: Buffer
  /** Exact predicted input of every ring member, in ring order. */
  arrivals: SetupArrival[]
  /** Exact message that must come back to the owner from the last ring member. */
  expectedReturn: SetupArrival
}

/** One X-node of the finished path, in path order X1 … Xx. */
export interface PathHop {
  peer: RingPeer
  ringIndex: number
  /** Link ID of its edge toward the owner (to the owner itself for X1); both ends of an edge present it. */
  linkIn: Buffer
  /** Link ID of its edge away from the owner; null for the terminating node. */
  linkOut: Buffer | null
  keySeed: Buffer
  keyCount: number
}

export interface PathSetupPlan {
  ring: RingOrder<RingPeer>
  kind: 'exit' | 'entry'
  /** Public construction key; the secret half was discarded after signing. */
  constructionKey: Buffer
  round1: RoundPlan
  round2: RoundPlan
  hops: PathHop[]
  /** Who sends the first ready block when linking (the terminating node's package says so). */
  readyFirst: 'owner' | 'terminating'
}
