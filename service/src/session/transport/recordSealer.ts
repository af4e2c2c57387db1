import type { CipherState } from '../noise/cipherState.js'
import type { LengthMask } from './lengthMask.js'
import { RECORD_LENGTH_BYTES, RECORD_TAG_BYTES, MAX_RECORD_PLAINTEXT_BYTES, recordAssociatedData } from './recordFormat.js'

export interface RekeyPolicy {
  /** Records (including the key-update record) sent under one key before a rekey. */
  afterMessages: number
  /** Age of the current key (ms) after which the next record first rekeys. */
  afterMs: number
  now: () => number
}

/**
 * Sending half of the record layer (T§6.3): record = masked u16 length ||
 * ChaChaPoly(frame). Rekeys itself per the policy by first sending a key-update
 * record (empty plaintext) under the old key.
 */
export class RecordSealer {
  private sinceRekey = 0
  private keyCreatedAt: number
  private rekeys = 0

  constructor (private readonly cipher: CipherState, private readonly mask: LengthMask, private readonly policy: RekeyPolicy) {
    this.keyCreatedAt = policy.now()
  }

  /** Wire bytes for one record carrying `plaintext` (1..65535 bytes), preceded by a key-update record when one is due. */
  seal (plaintext: Uint8Array): Buffer {
    const record = Buffer.allocUnsafe(RECORD_LENGTH_BYTES + plaintext.byteLength + RECORD_TAG_BYTES)
    record.set(plaintext, RECORD_LENGTH_BYTES)
    return this.sealInPlace(record)
  }

  /**
   * seal() without copies: `record` holds the plaintext at
   * [RECORD_LENGTH_BYTES, byteLength - RECORD_TAG_BYTES) with room for the
   * length before it and the tag after it; they are written and the
   * plaintext is encrypted where it is. Returns `record`, or the key-update
   * record and `record` together when a rekey is due.
   */
  sealInPlace (record: Buffer): Buffer {
    const length = record.byteLength - RECORD_LENGTH_BYTES - RECORD_TAG_BYTES
    if (length < 1 || length > MAX_RECORD_PLAINTEXT_BYTES) throw new RangeError('record plaintext must be 1..65535 bytes')
    if (this.sinceRekey + 1 >= this.policy.afterMessages || this.policy.now() - this.keyCreatedAt >= this.policy.afterMs) {
      const update = Buffer.allocUnsafe(RECORD_LENGTH_BYTES + RECORD_TAG_BYTES)
      this.sealOne(update)
      this.cipher.rekey()
      this.rekeys++
      this.sinceRekey = 0
      this.keyCreatedAt = this.policy.now()
      this.sealOne(record)
      return Buffer.concat([update, record])
    }
    this.sealOne(record)
    return record
  }

  get rekeyCount (): number {
    return this.rekeys
  }

  destroy (): void {
    this.cipher.destroy()
    this.mask.destroy()
  }

  /** Masked length, then the plaintext encrypted in place and its tag, in `record` (see sealInPlace). */
  private sealOne (record: Buffer): void {
    const length = record.byteLength - RECORD_LENGTH_BYTES - RECORD_TAG_BYTES
    const body = record.subarray(RECORD_LENGTH_BYTES, RECORD_LENGTH_BYTES + length)
    this.cipher.encryptInPlaceWithAd(recordAssociatedData(length), body, record.subarray(RECORD_LENGTH_BYTES + length))
    record.writeUInt16BE(length ^ this.mask.nextMask(), 0)
    this.sinceRekey++
  }
}
