import { ED25519_SECRET_KEY_BYTES, ED25519_SIGNATURE_BYTES, ed25519Sign, ed25519Verify } from '../../crypto/signing.js'
import { X25519_KEY_BYTES } from '../../crypto/keyAgreement.js'
import { ByteReader } from '../../wire/byteReader.js'
import { ByteWriter } from '../../wire/byteWriter.js'
import { DecodeError } from '../../wire/decodeError.js'
import { NODE_RECORD_MAX_BYTES, NODE_RECORD_SIGNING_DOMAIN, NODE_RECORD_VERSION } from '../recordLimits.js'
import { readMultiaddrList, writeMultiaddrList } from './multiaddrBytes.js'
import { ed25519PublicKeyFromPeerIdBytes } from './peerIdBytes.js'
import { readTimestamp, writeTimestamp } from './timestamp.js'

/**
 * Node record (PROTOCOL.md §4), stored at /phantom-node/<peerId>. One canonical
 * big-endian encoding, fields in this order:
 *
 *   u8  version = 1
 *   u8  peerId length (38) | peerId: canonical Ed25519 PeerId multihash bytes
 *   u8  multiaddr count (≤ 8) | count × (u8 length (1..128) | binary multiaddr)
 *   32  pbk (X25519 path-building public key)
 *   u64 pbkNotAfter (unix ms)
 *   u16 protocolVersion
 *   u32 relayCapacity (kbit/s, 0 = unknown)
 *   u64 issuedAt (unix ms)
 *   u64 expiresAt (unix ms)
 *   64  signature: Ed25519 by the identity key over
 *       "phantom-node-record-v1" || every byte above
 */
export interface NodeRecordFields {
  /** The PeerId's multihash bytes (`peerId.toMultihash().bytes`); must be an Ed25519 identity. */
  peerId: Uint8Array
  /** Binary multiaddrs (`multiaddr.bytes`), canonical, distinct. */
  multiaddrs: Uint8Array[]
  pbk: Uint8Array
  pbkNotAfter: number
  protocolVersion: number
  /** Relay capacity hint in kbit/s, 0 = unknown. */
  relayCapacity: number
  issuedAt: number
  expiresAt: number
}

export interface NodeRecord extends NodeRecordFields {
  signature: Uint8Array
}

function writeUnsigned (fields: NodeRecordFields): ByteWriter {
  if (fields.pbk.byteLength !== X25519_KEY_BYTES) throw new RangeError('pbk must be 32 bytes')
  if (!Number.isInteger(fields.protocolVersion) || fields.protocolVersion < 0 || fields.protocolVersion > 0xffff) throw new RangeError('protocolVersion must be a u16')
  if (!Number.isInteger(fields.relayCapacity) || fields.relayCapacity < 0 || fields.relayCapacity > 0xffffffff) throw new RangeError('relayCapacity must be a u32')
  const writer = new ByteWriter(512)
  writer.u8(NODE_RECORD_VERSION)
  writer.bytes8(fields.peerId)
  writeMultiaddrList(writer, fields.multiaddrs)
  writer.bytes(fields.pbk)
  writeTimestamp(writer, fields.pbkNotAfter, 'pbkNotAfter')
  writer.u16(fields.protocolVersion)
  writer.u32(fields.relayCapacity)
  writeTimestamp(writer, fields.issuedAt, 'issuedAt')
  writeTimestamp(writer, fields.expiresAt, 'expiresAt')
  return writer
}

/** The exact message the identity key signs. */
export function nodeRecordSigningMessage (fields: NodeRecordFields): Buffer {
  return Buffer.concat([Buffer.from(NODE_RECORD_SIGNING_DOMAIN, 'ascii'), writeUnsigned(fields).finish()])
}

/**
 * Encodes a signed node record. Throws RangeError on fields the decoder would
 * reject (wrong lengths, over limits, invalid peer ID or multiaddr), so a node
 * never publishes a record other nodes refuse.
 */
export function encodeNodeRecord (record: NodeRecord): Buffer {
  if (record.signature.byteLength !== ED25519_SIGNATURE_BYTES) throw new RangeError('signature must be 64 bytes')
  const bytes = writeUnsigned(record).bytes(record.signature).finish()
  try {
    decodeNodeRecord(bytes)
  } catch (err) {
    throw new RangeError(`cannot encode node record: ${(err as Error).message}`)
  }
  return bytes
}

/** Strict decoder: any deviation from the canonical encoding throws DecodeError. Does not check the signature. */
export function decodeNodeRecord (bytes: Uint8Array): NodeRecord {
  if (bytes.byteLength > NODE_RECORD_MAX_BYTES) throw new DecodeError(`node record: ${bytes.byteLength} bytes exceeds the limit of ${NODE_RECORD_MAX_BYTES}`)
  const reader = new ByteReader(bytes, 'node record')
  const version = reader.u8()
  if (version !== NODE_RECORD_VERSION) throw new DecodeError(`node record: unknown version ${version}`)
  const peerId = reader.bytes8()
  ed25519PublicKeyFromPeerIdBytes(peerId)
  const multiaddrs = readMultiaddrList(reader, 'node record')
  const pbk = reader.bytes(X25519_KEY_BYTES)
  const pbkNotAfter = readTimestamp(reader, 'node record pbkNotAfter')
  const protocolVersion = reader.u16()
  const relayCapacity = reader.u32()
  const issuedAt = readTimestamp(reader, 'node record issuedAt')
  const expiresAt = readTimestamp(reader, 'node record expiresAt')
  const signature = reader.bytes(ED25519_SIGNATURE_BYTES)
  reader.end()
  return { peerId, multiaddrs, pbk, pbkNotAfter, protocolVersion, relayCapacity, issuedAt, expiresAt, signature }
}

/**
 * Signs with the node's identity key: the 64-byte libsodium Ed25519 secret key
 * (seed || public key), which is what libp2p's `Ed25519PrivateKey.raw` holds.
 * Throws RangeError if the key is not the one the peerId names.
 */
export function signNodeRecord (fields: NodeRecordFields, identitySecretKey: Uint8Array): NodeRecord {
  if (identitySecretKey.byteLength !== ED25519_SECRET_KEY_BYTES) throw new RangeError('identity secret key must be the 64-byte Ed25519 secret key')
  let publicKey: Buffer
  try {
    publicKey = ed25519PublicKeyFromPeerIdBytes(fields.peerId)
  } catch (err) {
    throw new RangeError((err as Error).message)
  }
  if (!publicKey.equals(Buffer.from(identitySecretKey.subarray(32)))) throw new RangeError('identity secret key does not belong to the record\'s peerId')
  const record: NodeRecord = { ...fields, multiaddrs: [...fields.multiaddrs], signature: ed25519Sign(nodeRecordSigningMessage(fields), identitySecretKey) }
  encodeNodeRecord(record)
  return record
}

/** True when the signature is by the key inside the record's peerId. Never throws. */
export function verifyNodeRecordSignature (record: NodeRecord): boolean {
  try {
    const publicKey = ed25519PublicKeyFromPeerIdBytes(record.peerId)
    return ed25519Verify(record.signature, nodeRecordSigningMessage(record), publicKey)
  } catch {
    return false
  }
}
