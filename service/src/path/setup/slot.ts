/**
 * One slot of a setup array (PROTOCOL.md §6, with the signature moved inside
 * the encryption, see docs/protocol.md):
 *
 *   slot   = nonce(24) || XChaCha20-Poly1305(slotKey(linkIn, round), nonce, sealed)
 *   sealed = crypto_box_seal(recipient pbk, package(SLOT_PLAIN) || signature(64))
 *   signature = Ed25519(construction key, "phantom-setup-v1" || round || linkIn || package)
 *   slotKey(linkIn, round) = BLAKE2b-256(key = linkIn, message = "phantom-slot" || round)
 *
 * A slot is SLOT_LEN bytes of what looks like random data to anyone without
 * the link ID, so no member can tell owner-made slots from dummy keystream.
 */
import {
  blake2b256, ed25519Sign, ed25519Verify, randomBytes, sealedBoxOpen, sealedBoxSeal,
  xchacha20poly1305Decrypt, xchacha20poly1305Encrypt, type X25519KeyPair
} from '../../crypto/index.js'
import { LINK_ID_BYTES, SIGNATURE_BYTES, SLOT_LEN, SLOT_NONCE_BYTES, SLOT_PLAIN, type SetupRound } from './constants.js'
import { decodeSetupPackage, type SetupPackage } from './setupPackage.js'
import { DecodeError } from '../../wire/index.js'

const SLOT_KEY_LABEL = Buffer.from('phantom-slot', 'ascii')
const SIGNATURE_LABEL = Buffer.from('phantom-setup-v1', 'ascii')

/** The symmetric key of the outer slot layer for one link and round. */
export function slotKey (linkIn: Uint8Array, round: SetupRound): Buffer {
  if (linkIn.byteLength !== LINK_ID_BYTES) throw new RangeError('slotKey: link ID must be 32 bytes')
  return blake2b256([SLOT_KEY_LABEL, Uint8Array.of(round)], linkIn)
}

function signedMessage (round: SetupRound, linkIn: Uint8Array, packageBytes: Uint8Array): Buffer {
  return Buffer.concat([SIGNATURE_LABEL, Uint8Array.of(round), linkIn, packageBytes])
}

export interface SealSlotInput {
  round: SetupRound
  /** Encoded package, SLOT_PLAIN bytes. */
  packageBytes: Uint8Array
  /** Link ID over which the slot's recipient receives the array. */
  linkIn: Uint8Array
  recipientPbk: Uint8Array
  constructionSecretKey: Uint8Array
}

export function sealSlot (input: SealSlotInput): Buffer {
  if (input.packageBytes.byteLength !== SLOT_PLAIN) throw new RangeError(`sealSlot: package must be ${SLOT_PLAIN} bytes`)
  const signature = ed25519Sign(signedMessage(input.round, input.linkIn, input.packageBytes), input.constructionSecretKey)
  const sealed = sealedBoxSeal(Buffer.concat([input.packageBytes, signature]), input.recipientPbk)
  const nonce = randomBytes(SLOT_NONCE_BYTES)
  const slot = Buffer.concat([nonce, xchacha20poly1305Encrypt(slotKey(input.linkIn, input.round), nonce, sealed)])
  if (slot.length !== SLOT_LEN) throw new Error('sealSlot: slot length mismatch')
  return slot
}

/** Outer layer only: the sealed box inside, or null when the slot is not for this link and round. */
export function openSlotLayer (slot: Uint8Array, key: Uint8Array): Buffer | null {
  if (slot.byteLength !== SLOT_LEN) return null
  return xchacha20poly1305Decrypt(key, slot.subarray(0, SLOT_NONCE_BYTES), slot.subarray(SLOT_NONCE_BYTES))
}

export type SealedOpenResult =
  | { ok: true, package: SetupPackage }
  | { ok: false, reason: string }

/**
 * Inner layers: sealed box with any of `pbkKeyPairs` (current and grace-period
 * keys), strict package decoding, then the signature against the construction
 * key inside the package (round 1) or `knownConstructionKey` (round 2, which
 * must also equal the key in the package).
 */
export function openSealedSlot (sealed: Uint8Array, round: SetupRound, linkIn: Uint8Array, pbkKeyPairs: readonly X25519KeyPair[], knownConstructionKey: Uint8Array | null): SealedOpenResult {
  let plain: Buffer | null = null
  for (const keyPair of pbkKeyPairs) {
    plain = sealedBoxOpen(sealed, keyPair)
    if (plain != null) break
  }
  if (plain == null || plain.length !== SLOT_PLAIN + SIGNATURE_BYTES) return { ok: false, reason: 'sealed box does not open' }
  const packageBytes = plain.subarray(0, SLOT_PLAIN)
  let pkg: SetupPackage
  try {
    pkg = decodeSetupPackage(packageBytes)
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, reason: err.message }
    throw err
  }
  const key = knownConstructionKey ?? pkg.constructionKey
  if (knownConstructionKey != null && !Buffer.from(knownConstructionKey).equals(Buffer.from(pkg.constructionKey))) {
    return { ok: false, reason: 'construction key differs from round 1' }
  }
  if (!ed25519Verify(plain.subarray(SLOT_PLAIN), signedMessage(round, linkIn, packageBytes), key)) {
    return { ok: false, reason: 'bad construction signature' }
  }
  return { ok: true, package: pkg }
}

/** Both layers: the package when this slot is for this member over this link in this round, else null. */
export function openSlot (slot: Uint8Array, linkIn: Uint8Array, round: SetupRound, pbkKeyPairs: readonly X25519KeyPair[], knownConstructionKey: Uint8Array | null = null): SetupPackage | null {
  if (linkIn.byteLength !== LINK_ID_BYTES) return null
  const sealed = openSlotLayer(slot, slotKey(linkIn, round))
  if (sealed == null) return null
  const result = openSealedSlot(sealed, round, linkIn, pbkKeyPairs, knownConstructionKey)
  return result.ok ? result.package : null
}
