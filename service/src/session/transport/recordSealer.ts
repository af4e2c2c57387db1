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
    if (plaintext.byteLength === 0 || plaintext.byteLength > MAX_RECORD_PLAINTEXT_BYTES) throw new RangeError('record plaintext must be 1..65535 bytes')
    if (this.sinceRekey + 1 >= this.policy.afterMessages || this.policy.now() - this.keyCreatedAt >= this.policy.afterMs) {
      const update = this.sealOne(Buffer.alloc(0))
      this.cipher.rekey()
      this.rekeys++
      this.sinceRekey = 0
      this.keyCreatedAt = this.policy.now()
      return Buffer.concat([update, this.sealOne(plaintext)])
    }
    return this.sealOne(plaintext)
  }

  get rekeyCount (): number {
    return this.rekeys
  }

  destroy (): void {
    this.cipher.destroy()
    this.mask.destroy()
  }

  private sealOne (plaintext: Uint8Array): Buffer {
    const length = plaintext.byteLength
    const ciphertext = this.cipher.encryptWithAd(recordAssociatedData(length), plaintext)
    const out = Buffer.alloc(RECORD_LENGTH_BYTES + length + RECORD_TAG_BYTES)
    out.writeUInt16BE(length ^ this.mask.nextMask(), 0)
    ciphertext.copy(out, RECORD_LENGTH_BYTES)
    this.sinceRekey++
    return out
  }
}
