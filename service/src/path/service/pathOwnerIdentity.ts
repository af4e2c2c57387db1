/**
 * The owner's AP identity for entry paths: the routing key that derives and
 * signs the AP address's record, and the e2e (session) public key listed in
 * it (PROTOCOL.md §2, §3). The daemon persists it; tests generate one.
 */
import { ed25519Generate, x25519Generate, type Ed25519KeyPair } from '../../crypto/index.js'
import { deriveApAddress } from '../../netdb/apAddress.js'
import { encodeApRecord, signApRecord, type EntryNode } from '../../netdb/records/apRecord.js'
import { MAX_ENTRY_NODES } from '../../netdb/recordLimits.js'
import { AP_RECORD_MAX } from '../setup/constants.js'

export interface PathOwnerIdentity {
  routing: Ed25519KeyPair
  e2ePublicKey: Uint8Array
}

export function generatePathOwnerIdentity (): PathOwnerIdentity {
  return { routing: ed25519Generate(), e2ePublicKey: x25519Generate().publicKey }
}

export function apAddressOf (identity: PathOwnerIdentity): Buffer {
  return deriveApAddress(identity.routing.publicKey)
}

/**
 * The signed AP record the owner hands to the terminating node of a new entry
 * path: it lists that node first, then the entry nodes of the owner's other
 * live entry paths (at most MAX_ENTRY_NODES in all, and as many as fit the
 * package's AP_RECORD_MAX bytes).
 */
export function signedEntryRecord (identity: PathOwnerIdentity, entryNodes: EntryNode[], sequence: bigint, issuedAt: number, lifetimeMs: number): { apAddress: Buffer, apRecord: Buffer, expiresAt: number } {
  const seen = new Set<string>()
  const unique = entryNodes.filter((e) => {
    const k = Buffer.from(e.peerId).toString('hex')
    if (seen.has(k)) return false
    seen.add(k)
    return true
  }).slice(0, MAX_ENTRY_NODES)
  const ap = apAddressOf(identity)
  const expiresAt = issuedAt + lifetimeMs
  // the record rides in a setup package (at most AP_RECORD_MAX bytes): drop the oldest listed entry nodes until it fits
  for (let count = unique.length; count >= 1; count--) {
    const record = signApRecord({ ap, routingPub: identity.routing.publicKey, e2ePub: identity.e2ePublicKey, entryNodes: unique.slice(0, count), sequence, issuedAt, expiresAt }, identity.routing.secretKey)
    const bytes = encodeApRecord(record)
    if (bytes.byteLength <= AP_RECORD_MAX) return { apAddress: ap, apRecord: bytes, expiresAt }
  }
  throw new RangeError('AP record with one entry node does not fit a setup package')
}
