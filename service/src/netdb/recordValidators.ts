import { DecodeError } from '../wire/decodeError.js'
import { deriveApAddress } from './apAddress.js'
import { apRecordKey, nodeRecordKeyFromPeerIdBytes, parseApRecordKey, parseNodeRecordKey } from './recordKeys.js'
import {
  AP_RECORD_MAX_BYTES, AP_RECORD_MAX_LIFETIME_MS, AP_RECORD_VERSION, MAX_ISSUED_AT_SKEW_MS,
  NODE_RECORD_MAX_BYTES, NODE_RECORD_MAX_LIFETIME_MS, NODE_RECORD_VERSION
} from './recordLimits.js'
import { RecordRejectedError } from './recordRejectedError.js'
import { decodeApRecord, verifyApRecordSignature } from './records/apRecord.js'
import type { ApRecord } from './records/apRecord.js'
import { decodeNodeRecord, verifyNodeRecordSignature } from './records/nodeRecord.js'
import type { NodeRecord } from './records/nodeRecord.js'

/** The kad-dht validator shape: throw to reject. */
export type RecordValidator = (key: Uint8Array, value: Uint8Array) => void

/** A type alias (not an interface) so it is assignable to kad-dht's `Validators` index type. */
export type RecordValidators = {
  'phantom-node': RecordValidator
  'phantom-ap': RecordValidator
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

function checkSizeAndVersion (value: Uint8Array, maxBytes: number, version: number, what: string): void {
  if (!(value instanceof Uint8Array)) throw new RecordRejectedError('malformed', `${what}: value is not bytes`)
  if (value.byteLength > maxBytes) throw new RecordRejectedError('oversize', `${what}: ${value.byteLength} bytes exceeds the limit of ${maxBytes}`)
  if (value.byteLength === 0) throw new RecordRejectedError('malformed', `${what}: empty`)
  if (value[0] !== version) throw new RecordRejectedError('version', `${what}: unknown version ${value[0] as number}`)
}

function decodeOrReject<T> (decode: () => T, what: string): T {
  try {
    return decode()
  } catch (err) {
    if (err instanceof DecodeError) throw new RecordRejectedError('malformed', err.message)
    throw new RecordRejectedError('malformed', `${what}: ${(err as Error).message}`)
  }
}

function checkTimes (issuedAt: number, expiresAt: number, maxLifetime: number, now: number, what: string): void {
  if (expiresAt < issuedAt) throw new RecordRejectedError('lifetime', `${what}: expires before it is issued`)
  if (expiresAt - issuedAt > maxLifetime) throw new RecordRejectedError('lifetime', `${what}: lifetime ${expiresAt - issuedAt} ms exceeds ${maxLifetime} ms`)
  if (expiresAt <= now) throw new RecordRejectedError('expired', `${what}: expired at ${expiresAt}, now ${now}`)
  if (issuedAt > now + MAX_ISSUED_AT_SKEW_MS) throw new RecordRejectedError('future', `${what}: issued at ${issuedAt}, more than ${MAX_ISSUED_AT_SKEW_MS} ms after now ${now}`)
}

/** Checks a node record value against its key at time `now`; returns the decoded record or throws RecordRejectedError. */
export function validateNodeRecord (key: Uint8Array, value: Uint8Array, now: number): NodeRecord {
  const what = 'node record'
  checkSizeAndVersion(value, NODE_RECORD_MAX_BYTES, NODE_RECORD_VERSION, what)
  try {
    parseNodeRecordKey(key)
  } catch (err) {
    throw new RecordRejectedError('wrong-key', `${what}: ${(err as Error).message}`)
  }
  const record = decodeOrReject(() => decodeNodeRecord(value), what)
  if (!sameBytes(nodeRecordKeyFromPeerIdBytes(record.peerId), key)) throw new RecordRejectedError('wrong-key', `${what}: stored under another peer's key`)
  checkTimes(record.issuedAt, record.expiresAt, NODE_RECORD_MAX_LIFETIME_MS, now, what)
  if (record.pbkNotAfter <= now) throw new RecordRejectedError('expired', `${what}: path-building key expired at ${record.pbkNotAfter}`)
  if (!verifyNodeRecordSignature(record)) throw new RecordRejectedError('bad-signature', `${what}: signature does not verify under the peer's identity key`)
  return record
}

/** Checks an AP record value against its key at time `now`; returns the decoded record or throws RecordRejectedError. */
export function validateApRecord (key: Uint8Array, value: Uint8Array, now: number): ApRecord {
  const what = 'AP record'
  checkSizeAndVersion(value, AP_RECORD_MAX_BYTES, AP_RECORD_VERSION, what)
  try {
    parseApRecordKey(key)
  } catch (err) {
    throw new RecordRejectedError('wrong-key', `${what}: ${(err as Error).message}`)
  }
  const record = decodeOrReject(() => decodeApRecord(value), what)
  if (!deriveApAddress(record.routingPub).equals(record.ap)) throw new RecordRejectedError('wrong-derivation', `${what}: ap is not derived from routingPub`)
  if (!sameBytes(apRecordKey(record.ap), key)) throw new RecordRejectedError('wrong-key', `${what}: stored under another AP address's key`)
  checkTimes(record.issuedAt, record.expiresAt, AP_RECORD_MAX_LIFETIME_MS, now, what)
  if (!verifyApRecordSignature(record)) throw new RecordRejectedError('bad-signature', `${what}: signature does not verify under routingPub`)
  return record
}

/**
 * The validators to register with kad-dht (`validators` option), keyed by
 * namespace. `clock` returns unix milliseconds. Cheap checks run first, the
 * signature last; every failure throws RecordRejectedError with a reason code.
 */
export function createRecordValidators (clock: () => number = Date.now): RecordValidators {
  return {
    'phantom-node': (key, value) => { validateNodeRecord(key, value, clock()) },
    'phantom-ap': (key, value) => { validateApRecord(key, value, clock()) }
  }
}
