import type { PeerRef } from '../setup/peerRef.js'
import type { RingRole } from '../ring/ringOrder.js'

/** What a ring member keeps between round 1 and round 2 (on the same setup stream). */
export interface Round1State {
  role: RingRole
  /** PeerId of the ring predecessor that must send round 2 as well. */
  ringPrevPeerId: Buffer
  /** Ring successor to which round 2 is forwarded. */
  ringNext: PeerRef
  ringLinkIn: Buffer
  ringLinkOut: Buffer
  /** Construction public key; round-2 packages must be signed by it. */
  constructionKey: Buffer
}

/** One final path neighbour of an X-node and the link ID of the edge to it (both ends present the same ID). */
export interface PathNeighbour {
  peer: PeerRef
  linkId: Buffer
}

/**
 * What an X-node keeps once round 2 succeeded. Y-nodes keep nothing.
 *
 * The neighbours form an unordered pair, kept in canonical order (the
 * smaller PeerId first): nothing tells a relay which of them is toward the
 * owner (PROTOCOL.md §10 invariant 3). The terminating node has one.
 */
export interface PathMemberState {
  /** Two for a relay X-node, one for the terminating node; PeerIds ascending. */
  neighbours: PathNeighbour[]
  constructionKey: Buffer
  keySeed: Buffer
  keyCount: number
  terminating: boolean
  entry: boolean
  /** Terminating node only: it sends its ready block first (otherwise it answers the owner's). */
  readyFirst: boolean
  /** Entry terminating node only: the AP address and the signed AP record to publish. */
  apAddress: Buffer | null
  apRecord: Buffer | null
}

/** Identity of the member running the processing. */
export interface MemberIdentity {
  /** Current path-building key pair first, then any key still in its grace period. */
  pbkKeyPairs: ReadonlyArray<{ publicKey: Buffer, secretKey: Buffer }>
  peerId: Uint8Array
}

/** One received setup message, as the link layer authenticated it. */
export interface SetupInput {
  arrayBytes: Uint8Array
  linkIdFromSender: Uint8Array
  /** PeerId of the remote end of the libp2p connection (Noise-authenticated). */
  senderPeerId: Uint8Array
}

export interface ForwardDecision<S> {
  decision: 'forward'
  /** Where to send the array (ring successor) and the link ID to present. */
  next: PeerRef
  linkOut: Buffer
  outArray: Buffer
  state: S
}

/** Drop silently; the reason is for local logs only, nothing is ever sent back. */
export interface DropDecision {
  decision: 'drop'
  reason: string
}
