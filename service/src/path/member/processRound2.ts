/**
 * Round 2 at one ring member: same stream, same ring neighbours and link IDs
 * as round 1; every package must carry the success flag and be signed by the
 * construction key learned in round 1. X-nodes come out with their final path
 * state, Y-nodes with nothing.
 */
import { constantTimeEqual } from '../../crypto/index.js'
import { DecodeError } from '../../wire/index.js'
import { LINK_ID_BYTES } from '../setup/constants.js'
import { isAllZero } from '../setup/peerRef.js'
import { hashOfOthers, joinSlots, splitArray, transformArray } from '../setup/setupArray.js'
import { FLAG_ENTRY, FLAG_READY_FIRST, FLAG_SUCCESS, FLAG_TERMINATING, FLAG_X, type SetupPackage } from '../setup/setupPackage.js'
import { findOwnSlot } from './findOwnSlot.js'
import type { DropDecision, ForwardDecision, MemberIdentity, PathMemberState, Round1State, SetupInput } from './memberState.js'
import type { MemberOptions } from './processRound1.js'

/** `state` is the X-node's path state, null for a Y-node (which forgets everything). */
export type Round2Decision = ForwardDecision<PathMemberState | null> | DropDecision

function drop (reason: string): DropDecision {
  return { decision: 'drop', reason }
}

function round2PackageViolation (pkg: SetupPackage, round1: Round1State): string | null {
  if ((pkg.flags & FLAG_SUCCESS) === 0) return 'success flag missing'
  const isX = (pkg.flags & FLAG_X) !== 0
  if (isX !== (round1.role === 'X')) return 'role differs from round 1'
  const terminating = (pkg.flags & FLAG_TERMINATING) !== 0
  const entry = (pkg.flags & FLAG_ENTRY) !== 0
  const hasAp = !isAllZero(pkg.apAddress) || pkg.apRecord.byteLength !== 0
  if (!isX) {
    if (pkg.prev != null || pkg.next != null || !isAllZero(pkg.linkIn) || !isAllZero(pkg.linkOut)) return 'Y package names path neighbours'
    if (!isAllZero(pkg.keySeed) || pkg.keyCount !== 0 || hasAp) return 'Y package carries path material'
    return null
  }
  if (pkg.prev == null || isAllZero(pkg.linkIn)) return 'X package without a path neighbour'
  if (terminating) {
    if (pkg.next != null || !isAllZero(pkg.linkOut)) return 'terminating package names two neighbours'
  } else {
    if (pkg.next == null || isAllZero(pkg.linkOut)) return 'relay package without its second neighbour'
    // canonical order: the pair cannot carry which side is the owner's
    if (Buffer.compare(pkg.prev.peerId, pkg.next.peerId) >= 0) return 'path neighbours not in canonical order'
    if (constantTimeEqual(pkg.linkIn, pkg.linkOut)) return 'both edges carry the same link ID'
  }
  // A neighbour without an address is an owner that cannot be dialled: it connected to this node before
  // round 1 (PROTOCOL.md §6, round 1), and the edge is opened over that connection.
  if (pkg.keyCount === 0 || isAllZero(pkg.keySeed)) return 'X package without key material'
  if (entry) {
    if (isAllZero(pkg.apAddress) || pkg.apRecord.byteLength === 0) return 'entry package without AP data'
  } else if (hasAp) {
    return 'AP data outside an entry terminating package'
  }
  return null
}

export function processRound2 (input: SetupInput, me: MemberIdentity, round1: Round1State, options: MemberOptions = {}): Round2Decision {
  try {
    if (input.linkIdFromSender.byteLength !== LINK_ID_BYTES) return drop('bad link ID length')
    if (!constantTimeEqual(input.linkIdFromSender, round1.ringLinkIn)) return drop('link ID mismatch')
    if (!constantTimeEqual(input.senderPeerId, round1.ringPrevPeerId)) return drop('sender is not the expected previous member')
    const slots = splitArray(input.arrayBytes)
    const own = findOwnSlot(slots, round1.ringLinkIn, 2, me, round1.constructionKey)
    if (!own.ok) return drop(own.reason)
    const pkg = own.package
    const violation = round2PackageViolation(pkg, round1)
    if (violation != null) return drop(violation)
    if (!constantTimeEqual(hashOfOthers(slots, own.index), pkg.expectedHash)) return drop('array hash mismatch')
    if (options.overloaded === true) return drop('overloaded')
    const out = transformArray(slots, own.index, pkg.replacementSeed, pkg.dummyOps, pkg.peelKey)
    if (out == null) return drop('dummy operations do not apply')
    let state: PathMemberState | null = null
    if (round1.role === 'X') {
      const terminating = (pkg.flags & FLAG_TERMINATING) !== 0
      const entry = (pkg.flags & FLAG_ENTRY) !== 0
      const neighbours = [{ peer: pkg.prev!, linkId: Buffer.from(pkg.linkIn) }]
      if (!terminating) neighbours.push({ peer: pkg.next!, linkId: Buffer.from(pkg.linkOut) })
      if (neighbours.some((n) => constantTimeEqual(n.peer.peerId, me.peerId))) return drop('package names this node as its own neighbour')
      state = {
        neighbours,
        constructionKey: Buffer.from(round1.constructionKey),
        keySeed: Buffer.from(pkg.keySeed),
        keyCount: pkg.keyCount,
        terminating,
        entry,
        readyFirst: (pkg.flags & FLAG_READY_FIRST) !== 0,
        apAddress: entry ? Buffer.from(pkg.apAddress) : null,
        apRecord: entry ? Buffer.from(pkg.apRecord) : null
      }
    }
    return { decision: 'forward', next: round1.ringNext, linkOut: round1.ringLinkOut, outArray: joinSlots(out), state }
  } catch (err) {
    if (err instanceof DecodeError) return drop(err.message)
    return drop(`unexpected input: ${(err as Error).message}`)
  }
}
