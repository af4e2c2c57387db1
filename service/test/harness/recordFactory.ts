import { ed25519Generate, ed25519Sign, type Ed25519KeyPair } from '../../src/crypto/signing.js'
import { x25519Generate } from '../../src/crypto/keyAgreement.js'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { apRecordSigningMessage, encodeApRecord, signApRecord, type ApRecordFields, type EntryNode } from '../../src/netdb/records/apRecord.js'

/** A routing key and the AP records it signs, for tests. */
export class TestApIdentity {
  readonly routing: Ed25519KeyPair = ed25519Generate()
  readonly e2ePub = x25519Generate().publicKey
  readonly ap = deriveApAddress(this.routing.publicKey)

  record (sequence: bigint, entryNodes: EntryNode[] = [], now = Date.now(), lifetimeMs = 30 * 60_000): Buffer {
    return encodeApRecord(signApRecord({
      ap: this.ap,
      routingPub: this.routing.publicKey,
      e2ePub: this.e2ePub,
      entryNodes,
      sequence,
      issuedAt: now,
      expiresAt: now + lifetimeMs
    }, this.routing.secretKey))
  }

  /** A record claiming this AP address and routing key but signed by another key (a forgery). */
  forged (sequence: bigint, now = Date.now()): Buffer {
    const impostor = ed25519Generate()
    const fields: ApRecordFields = { ap: this.ap, routingPub: this.routing.publicKey, e2ePub: this.e2ePub, entryNodes: [], sequence, issuedAt: now, expiresAt: now + 30 * 60_000 }
    return encodeApRecord({ ...fields, signature: ed25519Sign(apRecordSigningMessage(fields), impostor.secretKey) })
  }
}
