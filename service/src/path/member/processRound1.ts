/**
 * Round 1 at one ring member (PROTOCOL.md §6): a pure function from the
 * received message to "forward this array to that peer" or "drop silently".
 */
import { constantTimeEqual } from '../../crypto/index.js'
import { DecodeError } from '../../wire/index.js'
import { LINK_ID_BYTES } from '../setup/constants.js'
import { isAllZero } from '../setup/peerRef.js'
import { hashOfOthers, joinSlots, splitArray, transformArray } from '../setup/setupArray.js'
import { FLAG_ENTRY, FLAG_SUCCESS, FLAG_TERMINATING, FLAG_X, type SetupPackage } from '../setup/setupPackage.js'
import { findOwnSlot } from './findOwnSlot.js'
import type { DropDecision, ForwardDecision, MemberIdentity, Round1State, SetupInput } from './memberState.js'

export type Round1Decision = ForwardDecision<Round1State> | DropDecision

export interface MemberOptions {
  /** The only legitimate reason to refuse: this node is overloaded. */
  overloaded?: boolean
}

function drop (reason: string): DropDecision {
  return { decision: 'drop', reason }
}

function round1PackageViolation (pkg: SetupPackage): string | null {
  if ((pkg.flags & (FLAG_SUCCESS | FLAG_TERMINATING | FLAG_ENTRY)) !== 0) return 'round-2 flags in a round-1 package'
  if (pkg.prev == null || pkg.next == null) return 'ring neighbour missing'
  if (isAllZero(pkg.linkOut)) return 'no outgoing link ID'
  if (!isAllZero(pkg.keySeed) || pkg.keyCount !== 0) return 'key material in round 1'
  if (!isAllZero(pkg.apAddress) || pkg.apRecord.byteLength !== 0) return 'AP data in round 1'
  return null
}

export function processRound1 (input: SetupInput, me: MemberIdentity, options: MemberOptions = {}): Round1Decision {
  try {
    if (input.linkIdFromSender.byteLength !== LINK_ID_BYTES) return drop('bad link ID length')
    const slots = splitArray(input.arrayBytes)
    const own = findOwnSlot(slots, input.linkIdFromSender, 1, me, null)
    if (!own.ok) return drop(own.reason)
    const pkg = own.package
    const violation = round1PackageViolation(pkg)
    if (violation != null) return drop(violation)
    if (constantTimeEqual(pkg.prev!.peerId, me.peerId) || constantTimeEqual(pkg.next!.peerId, me.peerId)) return drop('package names this node as its own neighbour')
    if (!constantTimeEqual(pkg.linkIn, input.linkIdFromSender)) return drop('link ID mismatch')
    if (!constantTimeEqual(pkg.prev!.peerId, input.senderPeerId)) return drop('sender is not the expected previous member')
    if (!constantTimeEqual(hashOfOthers(slots, own.index), pkg.expectedHash)) return drop('array hash mismatch')
    if (options.overloaded === true) return drop('overloaded')
    const out = transformArray(slots, own.index, pkg.replacementSeed, pkg.dummyOps, pkg.peelKey)
    if (out == null) return drop('dummy operations do not apply')
    const state: Round1State = {
      role: (pkg.flags & FLAG_X) !== 0 ? 'X' : 'Y',
      ringPrevPeerId: Buffer.from(pkg.prev!.peerId),
      ringNext: pkg.next!,
      ringLinkIn: Buffer.from(pkg.linkIn),
      ringLinkOut: Buffer.from(pkg.linkOut),
      constructionKey: Buffer.from(pkg.constructionKey)
    }
    return { decision: 'forward', next: pkg.next!, linkOut: state.ringLinkOut, outArray: joinSlots(out), state }
  } catch (err) {
    if (err instanceof DecodeError) return drop(err.message)
    return drop(`unexpected input: ${(err as Error).message}`)
  }
}
