/** Why a validator refused a record. */
export type RecordRejectionReason =
  | 'malformed' // not the canonical encoding (truncated, trailing bytes, bad length/count, bad peer ID or multiaddr, bad key text)
  | 'oversize' // raw value longer than the record type's maximum (checked before decoding)
  | 'bad-signature' // signature does not verify under the record's own key
  | 'wrong-key' // the DHT key does not name this record (another peer, another AP address, wrong namespace)
  | 'wrong-derivation' // ap is not derived from routingPub
  | 'expired' // expiresAt <= now, or (node record) pbkNotAfter <= now
  | 'future' // issuedAt more than MAX_ISSUED_AT_SKEW_MS ahead of now
  | 'lifetime' // expiresAt < issuedAt, or expiresAt - issuedAt over the maximum
  | 'version' // unknown record format version

/** Thrown by the DHT record validators; kad-dht treats any throw as "invalid". */
export class RecordRejectedError extends Error {
  constructor (readonly reason: RecordRejectionReason, message: string) {
    super(`record rejected (${reason}): ${message}`)
    this.name = 'RecordRejectedError'
  }
}
