import { ED25519_PUBLIC_KEY_BYTES, ED25519_SECRET_KEY_BYTES, ED25519_SIGNATURE_BYTES, ed25519Sign, ed25519Verify } from '../../crypto/signing.js'
import { X25519_KEY_BYTES } from '../../crypto/keyAgreement.js'
import { ByteReader } from '../../wire/byteReader.js'
import { ByteWriter } from '../../wire/byteWriter.js'
import { DecodeError } from '../../wire/decodeError.js'
import { AP_ADDRESS_BYTES, deriveApAddress } from '../apAddress.js'
import { AP_RECORD_MAX_BYTES, AP_RECORD_SIGNING_DOMAIN, AP_RECORD_VERSION, MAX_ENTRY_NODES } from '../recordLimits.js'
import { checkNoDuplicates, readMultiaddrList, writeMultiaddrList } from './multiaddrBytes.js'
import { ed25519PublicKeyFromPeerIdBytes } from './peerIdBytes.js'
import { readTimestamp, writeTimestamp } from './timestamp.js'

/**
 * AP record (PROTOCOL.md §4), stored at /phantom-ap/<ap as hex>. One canonical
 * big-endian encoding, fields in this order:
 *
 *   u8  version = 1
 *   16  ap (AP address)
 *   32  routingPub (Ed25519)
 *   32  e2ePub (X25519)
 *   u8  entry node count (≤ 8), then per entry node:
 *         u8 peerId length (38) | peerId: canonical Ed25519 PeerId multihash bytes
 *         u8 multiaddr count (≤ 8) | count × (u8 length (1..128) | binary multiaddr)
 *   u64 sequence
 *   u64 issuedAt (unix ms)
 *   u64 expiresAt (unix ms)
 *   64  signature: Ed25519 by the routing key over
 *       "phantom-ap-record-v1" || every byte above
 *
 * The decoder checks structure only; whether `ap` is derived from `routingPub`
 * is the validator's business (reason 'wrong-derivation').
 */
export interface EntryNode {
  /** The PeerId's multihash bytes; must be an Ed25519 identity. */
  peerId: Uint8Array
  /** Binary multiaddrs, canonical, distinct. */
  multiaddrs: Uint8Array[]
}

export interface ApRecordFields {
  ap: Uint8Array
  routingPub: Uint8Array
  e2ePub: Uint8Array
  /** Terminating nodes of the owner's live entry paths; distinct peer IDs. */
  entryNodes: EntryNode[]
  /** u64; the highest wins (recordSelectors). */
  sequence: bigint
  issuedAt: number
  expiresAt: number
}

export interface ApRecord extends ApRecordFields {
  signature: Uint8Array
}

const U64_MAX = (1n << 64n) - 1n

function writeUnsigned (fields: ApRecordFields): ByteWriter {
  if (fields.ap.byteLength !== AP_ADDRESS_BYTES) throw new RangeError('ap must be 16 bytes')
  if (fields.routingPub.byteLength !== ED25519_PUBLIC_KEY_BYTES) throw new RangeError('routingPub must be 32 bytes')
  if (fields.e2ePub.byteLength !== X25519_KEY_BYTES) throw new RangeError('e2ePub must be 32 bytes')
  if (fields.entryNodes.length > MAX_ENTRY_NODES) throw new RangeError(`at most ${MAX_ENTRY_NODES} entry nodes`)
  if (typeof fields.sequence !== 'bigint' || fields.sequence < 0n || fields.sequence > U64_MAX) throw new RangeError('sequence must be a u64 bigint')
  const writer = new ByteWriter(512)
  writer.u8(AP_RECORD_VERSION)
  writer.bytes(fields.ap)
  writer.bytes(fields.routingPub)
  writer.bytes(fields.e2ePub)
  writer.u8(fields.entryNodes.length)
  for (const entry of fields.entryNodes) {
    writer.bytes8(entry.peerId)
    writeMultiaddrList(writer, entry.multiaddrs)
  }
  writer.u64(fields.sequence)
  writeTimestamp(writer, fields.issuedAt, 'issuedAt')
  writeTimestamp(writer, fields.expiresAt, 'expiresAt')
  return writer
}

/** The exact message the routing key signs. */
export function apRecordSigningMessage (fields: ApRecordFields): Buffer {
  return Buffer.concat([Buffer.from(AP_RECORD_SIGNING_DOMAIN, 'ascii'), writeUnsigned(fields).finish()])
}

/**
 * Encodes a signed AP record. Throws RangeError on fields the decoder would
 * reject (wrong lengths, over limits, invalid peer IDs or multiaddrs,
 * duplicates, more than AP_RECORD_MAX_BYTES in all).
 */
export function encodeApRecord (record: ApRecord): Buffer {
  if (record.signature.byteLength !== ED25519_SIGNATURE_BYTES) throw new RangeError('signature must be 64 bytes')
  const bytes = writeUnsigned(record).bytes(record.signature).finish()
  try {
    decodeApRecord(bytes)
  } catch (err) {
    throw new RangeError(`cannot encode AP record: ${(err as Error).message}`)
  }
  return bytes
}

/** Strict decoder: any deviation from the canonical encoding throws DecodeError. Does not check signature or derivation. */
export function decodeApRecord (bytes: Uint8Array): ApRecord {
  if (bytes.byteLength > AP_RECORD_MAX_BYTES) throw new DecodeError(`AP record: ${bytes.byteLength} bytes exceeds the limit of ${AP_RECORD_MAX_BYTES}`)
  const reader = new ByteReader(bytes, 'AP record')
  const version = reader.u8()
  if (version !== AP_RECORD_VERSION) throw new DecodeError(`AP record: unknown version ${version}`)
  const ap = reader.bytes(AP_ADDRESS_BYTES)
  const routingPub = reader.bytes(ED25519_PUBLIC_KEY_BYTES)
  const e2ePub = reader.bytes(X25519_KEY_BYTES)
  const entryCount = reader.u8()
  if (entryCount > MAX_ENTRY_NODES) throw new DecodeError(`AP record: ${entryCount} entry nodes exceeds the limit of ${MAX_ENTRY_NODES}`)
  const entryNodes: EntryNode[] = []
  for (let i = 0; i < entryCount; i++) {
    const peerId = reader.bytes8()
    ed25519PublicKeyFromPeerIdBytes(peerId)
    const multiaddrs = readMultiaddrList(reader, 'AP record entry node')
    entryNodes.push({ peerId, multiaddrs })
  }
  checkNoDuplicates(entryNodes.map(e => e.peerId), 'AP record entry node peer IDs')
  const sequence = reader.u64()
  const issuedAt = readTimestamp(reader, 'AP record issuedAt')
  const expiresAt = readTimestamp(reader, 'AP record expiresAt')
  const signature = reader.bytes(ED25519_SIGNATURE_BYTES)
  reader.end()
  return { ap, routingPub, e2ePub, entryNodes, sequence, issuedAt, expiresAt, signature }
}

/**
 * Signs with the AP address's routing key: the 64-byte libsodium Ed25519 secret
 * key (seed || public key). Throws RangeError if the key is not `routingPub`'s
 * or `ap` is not derived from `routingPub`.
 */
export function signApRecord (fields: ApRecordFields, routingSecretKey: Uint8Array): ApRecord {
  if (routingSecretKey.byteLength !== ED25519_SECRET_KEY_BYTES) throw new RangeError('routing secret key must be the 64-byte Ed25519 secret key')
  if (!Buffer.from(routingSecretKey.subarray(32)).equals(Buffer.from(fields.routingPub))) throw new RangeError('routing secret key does not belong to routingPub')
  if (!deriveApAddress(fields.routingPub).equals(Buffer.from(fields.ap))) throw new RangeError('ap is not derived from routingPub')
  const record: ApRecord = {
    ...fields,
    entryNodes: fields.entryNodes.map(e => ({ peerId: e.peerId, multiaddrs: [...e.multiaddrs] })),
    signature: ed25519Sign(apRecordSigningMessage(fields), routingSecretKey)
  }
  encodeApRecord(record)
  return record
}

/** True when the signature is by `routingPub`. Never throws. Does not check derivation. */
export function verifyApRecordSignature (record: ApRecord): boolean {
  try {
    return ed25519Verify(record.signature, apRecordSigningMessage(record), record.routingPub)
  } catch {
    return false
  }
}
