/**
 * Trial decryption: the link-keyed outer layer is tried on every slot (always
 * all of them), exactly one must open; only that one is handed to the sealed
 * box and the signature check.
 */
import { ARRAY_SLOTS, type SetupRound } from '../setup/constants.js'
import { openSealedSlot, openSlotLayer, slotKey } from '../setup/slot.js'
import type { SetupPackage } from '../setup/setupPackage.js'
import type { MemberIdentity } from './memberState.js'

export type FindOwnSlotResult =
  | { ok: true, index: number, package: SetupPackage }
  | { ok: false, reason: string }

export function findOwnSlot (slots: readonly Buffer[], linkIn: Uint8Array, round: SetupRound, me: MemberIdentity, knownConstructionKey: Uint8Array | null): FindOwnSlotResult {
  if (slots.length !== ARRAY_SLOTS) return { ok: false, reason: 'wrong slot count' }
  const key = slotKey(linkIn, round)
  let found = -1
  let sealed: Buffer | null = null
  let opened = 0
  for (let i = 0; i < slots.length; i++) {
    const inner = openSlotLayer(slots[i] as Buffer, key)
    if (inner != null) { opened++; found = i; sealed = inner }
  }
  if (opened === 0 || sealed == null) return { ok: false, reason: 'no slot for this link' }
  if (opened > 1) return { ok: false, reason: 'more than one slot for this link' }
  const result = openSealedSlot(sealed, round, linkIn, me.pbkKeyPairs, knownConstructionKey)
  if (!result.ok) return result
  return { ok: true, index: found, package: result.package }
}
