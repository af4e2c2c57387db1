/** Test helpers: fake ring peers and a driver that runs the real member functions around a ring. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { randomBytes, randomInt, x25519Generate, type X25519KeyPair } from '../../src/crypto/index.js'
import {
  buildPathSetup, orderRing, processRound1, processRound2, type PathMemberState, type PathSetupPlan, type PeerRef,
  type Round1State, type RingPeer, type RoundPlan, type SetupArrival
} from '../../src/path/index.js'

export interface TestNode {
  peer: RingPeer
  keyPair: X25519KeyPair
}

export function randomMultiaddrs (): Buffer[] {
  return Array.from({ length: 1 + randomInt(2) }, () => randomBytes(8 + randomInt(20)))
}

/** A node with a random 38-byte PeerId (identity does not matter to the path library). */
export function makeNode (): TestNode {
  const keyPair = x25519Generate()
  return { peer: { peerId: randomBytes(38), multiaddrs: randomMultiaddrs(), pbk: keyPair.publicKey }, keyPair }
}

/** A node with a real libp2p Ed25519 PeerId. */
export async function makeRealNode (): Promise<TestNode> {
  const privateKey = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(privateKey)
  const keyPair = x25519Generate()
  return { peer: { peerId: peerId.toMultihash().bytes, multiaddrs: randomMultiaddrs(), pbk: keyPair.publicKey }, keyPair }
}

export interface TestRing {
  owner: PeerRef
  nodes: TestNode[]
  plan: PathSetupPlan
  /** Node of each ring index. */
  byIndex: TestNode[]
}

export function buildTestRing (options: { x: number, extraY: number, kind?: 'exit' | 'entry', reverse?: boolean, nodes?: TestNode[], owner?: PeerRef }): TestRing {
  const { x, extraY } = options
  const y = 2 * x - 1 + extraY
  const nodes = options.nodes ?? Array.from({ length: x + y }, makeNode)
  const owner = options.owner ?? { peerId: randomBytes(38), multiaddrs: randomMultiaddrs() }
  const ring = orderRing(nodes.slice(0, x), nodes.slice(x, x + y), options.reverse == null ? {} : { reverse: options.reverse })
  const kind = options.kind ?? 'exit'
  const plan = buildPathSetup({
    owner,
    ring: { ...ring, members: ring.members.map((m) => ({ role: m.role, peer: m.peer.peer })) },
    kind,
    keyCount: 1 + randomInt(64),
    ...(kind === 'entry' ? { entry: { apAddress: Buffer.concat([Buffer.from([0xfd, 0x50]), randomBytes(14)]), apRecord: randomBytes(1 + randomInt(1024)) } } : {})
  })
  const byIndex = ring.members.map((m) => m.peer)
  return { owner, nodes, plan, byIndex }
}

export function identityOf (node: TestNode): { pbkKeyPairs: X25519KeyPair[], peerId: Uint8Array } {
  return { pbkKeyPairs: [node.keyPair], peerId: node.peer.peerId }
}

export interface RoundRun {
  /** Input each member actually received, in ring order (until the first drop). */
  received: SetupArrival[]
  dropped: { index: number, reason: string } | null
  returned: SetupArrival | null
}

/**
 * Runs one round around the ring with the real member functions. `tamper`
 * may replace the message a member is about to receive.
 */
export function runRound (ring: TestRing, round: 1 | 2, round1States: Round1State[], pathStates: Array<PathMemberState | null>, tamper?: (index: number, message: SetupArrival) => SetupArrival): RoundRun {
  const planRound: RoundPlan = round === 1 ? ring.plan.round1 : ring.plan.round2
  let message: SetupArrival = { senderPeerId: Buffer.from(ring.owner.peerId), linkId: planRound.linkId, arrayBytes: planRound.arrayBytes }
  const received: SetupArrival[] = []
  for (let i = 0; i < ring.byIndex.length; i++) {
    const node = ring.byIndex[i] as TestNode
    if (tamper != null) message = tamper(i, message)
    received.push(message)
    const input = { arrayBytes: message.arrayBytes, linkIdFromSender: message.linkId, senderPeerId: message.senderPeerId }
    if (round === 1) {
      const decision = processRound1(input, identityOf(node))
      if (decision.decision === 'drop') return { received, dropped: { index: i, reason: decision.reason }, returned: null }
      round1States[i] = decision.state
      message = { senderPeerId: Buffer.from(node.peer.peerId), linkId: decision.linkOut, arrayBytes: decision.outArray }
    } else {
      const decision = processRound2(input, identityOf(node), round1States[i] as Round1State)
      if (decision.decision === 'drop') return { received, dropped: { index: i, reason: decision.reason }, returned: null }
      pathStates[i] = decision.state
      message = { senderPeerId: Buffer.from(node.peer.peerId), linkId: decision.linkOut, arrayBytes: decision.outArray }
    }
  }
  return { received, dropped: null, returned: message }
}

export function runBothRounds (ring: TestRing): { r1: RoundRun, r2: RoundRun, round1States: Round1State[], pathStates: Array<PathMemberState | null> } {
  const round1States: Round1State[] = []
  const pathStates: Array<PathMemberState | null> = []
  const r1 = runRound(ring, 1, round1States, pathStates)
  const r2 = runRound(ring, 2, round1States, pathStates)
  return { r1, r2, round1States, pathStates }
}

export function contains (haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0
}
