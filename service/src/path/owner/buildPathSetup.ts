/**
 * The owner's side of path setup: builds both rounds' arrays for a chosen
 * ring and predicts, byte for byte, the array each member receives and the
 * array that must return (PROTOCOL.md §6). Pure apart from the CSPRNG.
 *
 * Construction of one round: the non-member slots start as keystream dummies;
 * the owner first plans, in ring order, every member's replacement seed,
 * dummy operations (deletes only ever name slots that are junk to everyone)
 * and peel key; then it seals the slots from the last member back to the
 * first, since a member's expected hash covers the slots of the members after
 * it as they arrive (wrapped in the inverse peel of every member in between);
 * finally it runs the shared array transform forward to record every
 * member's view and the returning array.
 */
import { ed25519Generate, randomBytes, randomInt, shuffleInPlace, sodium } from '../../crypto/index.js'
import { AP_ADDRESS_BYTES, AP_RECORD_MAX, ARRAY_SLOTS, DUMMY_OPS, LINK_ID_BYTES, MAX_RING_MEMBERS, SEED_BYTES, type SetupRound } from '../setup/constants.js'
import type { DummyOp } from '../setup/dummyOp.js'
import { assertPeerRefFits, type PeerRef } from '../setup/peerRef.js'
import { dummySlotFromSeed, hashOfOthers, joinSlots, slotHash, sortSlots, transformArray } from '../setup/setupArray.js'
import { encodeSetupPackage, FLAG_ENTRY, FLAG_READY_FIRST, FLAG_SUCCESS, FLAG_TERMINATING, FLAG_X, FLAG_Y, type SetupPackage } from '../setup/setupPackage.js'
import { sealSlot } from '../setup/slot.js'
import { peelKeys, peelSlot, wrapSlot, type PeelKeys } from '../setup/slotPermutation.js'
import { ringOrderViolation, type RingOrder } from '../ring/ringOrder.js'
import type { RingPeer } from '../ring/ringPeer.js'
import type { PathHop, PathSetupPlan, RoundPlan, SetupArrival } from './pathSetupPlan.js'

export interface PathSetupRequest {
  /** The owner's own PeerId and dialable multiaddrs (none when it has no dialable address): the ring closes on it. */
  owner: PeerRef
  ring: RingOrder<RingPeer>
  kind: 'exit' | 'entry'
  /** N, the number of tunnel keys of every X-node (1..65535). */
  keyCount: number
  /** Entry paths only: handed to the terminating node in round 2. */
  entry?: { apAddress: Uint8Array, apRecord: Uint8Array }
  /** Who sends the first ready block when linking; random when absent (tests force it). */
  readyFirst?: 'owner' | 'terminating'
}

const ZERO32 = Buffer.alloc(32)

/** Package fields that do not depend on the array (everything but dummy ops, replacement seed, peel key, expected hash). */
type PackageBase = Omit<SetupPackage, 'dummyOps' | 'replacementSeed' | 'peelKey' | 'expectedHash'>

function peerRefOf (peer: RingPeer): PeerRef {
  return { peerId: Buffer.from(peer.peerId), multiaddrs: peer.multiaddrs.map((m) => Buffer.from(m)) }
}

/**
 * A ring predecessor is only ever authenticated, never dialled (the
 * predecessor dials), so every round-1 package names it by PeerId alone.
 */
function idOnly (peer: PeerRef): PeerRef {
  return { peerId: Buffer.from(peer.peerId), multiaddrs: [] }
}

function validate (request: PathSetupRequest): void {
  const violation = ringOrderViolation(request.ring)
  if (violation != null) throw new RangeError(`path setup: ring breaks the ordering rules: ${violation}`)
  const members = request.ring.members
  if (members.length > MAX_RING_MEMBERS) throw new RangeError(`path setup: a ring has at most ${MAX_RING_MEMBERS} members`)
  assertPeerRefFits(request.owner, 'owner')
  // An owner without a dialable address gives none (PROTOCOL.md §6, round 1): it connects to the last ring member and to
  // X1 before round 1, and they reach it over those connections. Its neighbours can tell it apart by that
  // (docs/threat-model.md); every ring member, by contrast, must be dialable.
  const ids = new Set([Buffer.from(request.owner.peerId).toString('hex')])
  for (const m of members) {
    assertPeerRefFits(m.peer, 'ring member')
    if (m.peer.multiaddrs.length === 0) throw new RangeError('path setup: every ring member needs a dialable multiaddr')
    if (m.peer.pbk.byteLength !== 32) throw new RangeError('path setup: pbk must be 32 bytes')
    ids.add(Buffer.from(m.peer.peerId).toString('hex'))
  }
  if (ids.size !== members.length + 1) throw new RangeError('path setup: ring members and owner must be distinct')
  if (!Number.isInteger(request.keyCount) || request.keyCount < 1 || request.keyCount > 0xffff) throw new RangeError('path setup: key count must be 1..65535')
  if (request.kind === 'entry') {
    const e = request.entry
    if (e == null || e.apAddress.byteLength !== AP_ADDRESS_BYTES || e.apRecord.byteLength < 1 || e.apRecord.byteLength > AP_RECORD_MAX) {
      throw new RangeError('path setup: an entry path needs a 16-byte AP address and a 1..1024-byte AP record')
    }
  } else if (request.entry != null) {
    throw new RangeError('path setup: AP data only for entry paths')
  }
}

interface MemberPlan { replacementSeed: Buffer, peelKey: Buffer, keys: PeelKeys, dummyOps: DummyOp[], junkAtArrival: Buffer[] }

/**
 * Plans replacement seeds, dummy operations and peel keys forward, tracking
 * the slots that are junk to everyone (fillers, replaced and inserted slots)
 * as each member will see them; returns the plans and the junk that comes back.
 */
function planDummies (memberCount: number): { fillers: Buffer[], plans: MemberPlan[], returned: Buffer[] } {
  const fillers: Buffer[] = []
  for (let i = 0; i < ARRAY_SLOTS - memberCount; i++) fillers.push(dummySlotFromSeed(randomBytes(SEED_BYTES)))
  let junk = fillers.slice()
  const plans: MemberPlan[] = []
  for (let i = 0; i < memberCount; i++) {
    const junkAtArrival = junk.slice()
    const replacementSeed = randomBytes(SEED_BYTES)
    junk.push(dummySlotFromSeed(replacementSeed))
    const pairs = Math.min(randomInt(DUMMY_OPS / 2 + 1), junk.length)
    const victims = shuffleInPlace(junk.slice()).slice(0, pairs)
    const ops: DummyOp[] = victims.map((slot) => ({ kind: 'delete', slotHash: slotHash(slot) }))
    junk = junk.filter((slot) => !victims.includes(slot))
    for (let p = 0; p < pairs; p++) {
      const seed = randomBytes(SEED_BYTES)
      ops.push({ kind: 'insert', seed })
      junk.push(dummySlotFromSeed(seed))
    }
    while (ops.length < DUMMY_OPS) ops.push({ kind: 'none' })
    const peelKey = randomBytes(SEED_BYTES)
    const keys = peelKeys(peelKey)
    junk = junk.map((slot) => peelSlot(slot, keys))
    plans.push({ replacementSeed, peelKey, keys, dummyOps: shuffleInPlace(ops), junkAtArrival })
  }
  return { fillers, plans, returned: junk }
}

function buildRound (round: SetupRound, request: PathSetupRequest, bases: PackageBase[], ringLinks: Buffer[], constructionSecretKey: Buffer): RoundPlan {
  const members = request.ring.members
  const count = members.length
  const { fillers, plans, returned } = planDummies(count)
  // Seal from the last member back to the first. `pending` holds the slots of
  // the members after i as they arrive at member i + 1; wrapping them with
  // member i's inverse permutation gives them as they arrive at member i.
  const sealed = new Array<Buffer>(count)
  let pending: Buffer[] = []
  for (let i = count - 1; i >= 0; i--) {
    const plan = plans[i] as MemberPlan
    const atArrival = pending.map((slot) => wrapSlot(slot, plan.keys))
    const others = sortSlots([...plan.junkAtArrival, ...atArrival])
    const pkg: SetupPackage = { ...(bases[i] as PackageBase), dummyOps: plan.dummyOps, replacementSeed: plan.replacementSeed, peelKey: plan.peelKey, expectedHash: hashOfOthers(others, -1) }
    sealed[i] = sealSlot({ round, packageBytes: encodeSetupPackage(pkg), linkIn: ringLinks[i] as Buffer, recipientPbk: members[i]!.peer.pbk, constructionSecretKey })
    pending = [sealed[i] as Buffer, ...atArrival]
  }
  // Run the members' transform forward to record every view and the returning array.
  let array = sortSlots([...fillers, ...pending])
  const sent = joinSlots(array)
  const arrivals: SetupArrival[] = []
  for (let i = 0; i < count; i++) {
    const sender = i === 0 ? request.owner.peerId : members[i - 1]!.peer.peerId
    arrivals.push({ senderPeerId: Buffer.from(sender), linkId: ringLinks[i] as Buffer, arrayBytes: joinSlots(array) })
    const plan = plans[i] as MemberPlan
    const own = array.findIndex((slot) => slot.equals(sealed[i] as Buffer))
    const next = own < 0 ? null : transformArray(array, own, plan.replacementSeed, plan.dummyOps, plan.peelKey)
    if (next == null) throw new Error('path setup: owner prediction failed (bug)')
    array = next
  }
  const back = joinSlots(array)
  if (!back.equals(joinSlots(sortSlots(returned)))) throw new Error('path setup: returned junk mismatch (bug)')
  return {
    round,
    first: peerRefOf(members[0]!.peer),
    linkId: ringLinks[0] as Buffer,
    arrayBytes: sent,
    arrivals,
    expectedReturn: { senderPeerId: Buffer.from(members[count - 1]!.peer.peerId), linkId: ringLinks[count] as Buffer, arrayBytes: back }
  }
}

/** Builds both rounds with a fresh construction key, fresh link IDs and seeds. Throws RangeError on an invalid request. */
export function buildPathSetup (request: PathSetupRequest): PathSetupPlan {
  validate(request)
  const { ring, owner } = request
  const members = ring.members
  const count = members.length
  const construction = ed25519Generate()
  const ringLinks = Array.from({ length: count + 1 }, () => randomBytes(LINK_ID_BYTES))
  const hops: PathHop[] = []
  for (let j = 0; j < ring.pathIndices.length; j++) {
    const ringIndex = ring.pathIndices[j] as number
    hops.push({ peer: members[ringIndex]!.peer, ringIndex, linkIn: randomBytes(LINK_ID_BYTES), linkOut: null, keySeed: randomBytes(SEED_BYTES), keyCount: request.keyCount })
  }
  for (let j = 0; j + 1 < hops.length; j++) hops[j]!.linkOut = hops[j + 1]!.linkIn

  const ownerRef: PeerRef = { peerId: Buffer.from(owner.peerId), multiaddrs: owner.multiaddrs.map((m) => Buffer.from(m)) }
  const common = { constructionKey: construction.publicKey, keySeed: ZERO32, keyCount: 0, apAddress: Buffer.alloc(AP_ADDRESS_BYTES), apRecord: Buffer.alloc(0) }
  const round1: PackageBase[] = members.map((m, i) => ({
    ...common,
    flags: m.role === 'X' ? FLAG_X : FLAG_Y,
    prev: idOnly(i === 0 ? ownerRef : members[i - 1]!.peer),
    next: i === count - 1 ? ownerRef : peerRefOf(members[i + 1]!.peer),
    linkIn: ringLinks[i] as Buffer,
    linkOut: ringLinks[i + 1] as Buffer
  }))
  const round2: PackageBase[] = members.map(() => ({ ...common, flags: FLAG_Y | FLAG_SUCCESS, prev: null, next: null, linkIn: ZERO32, linkOut: ZERO32 }))
  const readyFirst = request.readyFirst ?? (randomInt(2) === 0 ? 'owner' : 'terminating')
  hops.forEach((hop, j) => {
    const terminating = j === hops.length - 1
    const entry = terminating && request.kind === 'entry'
    // the final neighbours as an unordered pair: canonical order, each with the link ID of its edge
    const towardOwner = { peer: j === 0 ? ownerRef : peerRefOf(hops[j - 1]!.peer), linkId: hop.linkIn }
    const pair = terminating ? [towardOwner] : [towardOwner, { peer: peerRefOf(hops[j + 1]!.peer), linkId: hop.linkOut as Buffer }]
    pair.sort((a, b) => Buffer.compare(a.peer.peerId, b.peer.peerId))
    round2[hop.ringIndex] = {
      ...common,
      flags: FLAG_X | FLAG_SUCCESS | (terminating ? FLAG_TERMINATING : 0) | (entry ? FLAG_ENTRY : 0) | (terminating && readyFirst === 'terminating' ? FLAG_READY_FIRST : 0),
      prev: pair[0]!.peer,
      next: pair[1]?.peer ?? null,
      linkIn: pair[0]!.linkId,
      linkOut: pair[1]?.linkId ?? ZERO32,
      keySeed: hop.keySeed,
      keyCount: hop.keyCount,
      apAddress: entry ? Buffer.from(request.entry!.apAddress) : common.apAddress,
      apRecord: entry ? Buffer.from(request.entry!.apRecord) : common.apRecord
    }
  })
  try {
    return {
      ring,
      kind: request.kind,
      constructionKey: construction.publicKey,
      round1: buildRound(1, request, round1, ringLinks, construction.secretKey),
      round2: buildRound(2, request, round2, ringLinks, construction.secretKey),
      hops,
      readyFirst
    }
  } finally {
    sodium.sodium_memzero(construction.secretKey)
  }
}
