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
  /** Link ID its final predecessor (the owner for X1) presents to it. */
  linkIn: Buffer
  /** Link ID it presents to its final successor; null for the terminating node. */
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
}
