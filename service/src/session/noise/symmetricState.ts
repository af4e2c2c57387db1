import { CipherState, NOISE_KEY_BYTES, type NonceUseObserver } from './cipherState.js'
import { noiseHkdf, type NoiseHash } from './noiseHash.js'

/** Noise SymmetricState (rev 34 §5.2): chaining key ck, handshake hash h and a CipherState. */
export class SymmetricState {
  private ck: Buffer
  private h: Buffer
  private readonly cipher = new CipherState()

  constructor (private readonly hash: NoiseHash, protocolName: string) {
    const name = Buffer.from(protocolName, 'ascii')
    if (name.byteLength <= hash.hashLength) {
      this.h = Buffer.alloc(hash.hashLength)
      name.copy(this.h)
    } else {
      this.h = hash.digest([name])
    }
    this.ck = Buffer.from(this.h)
  }

  mixKey (inputKeyMaterial: Uint8Array): void {
    const [ck, tempK] = noiseHkdf(this.hash, this.ck, inputKeyMaterial, 2) as [Buffer, Buffer]
    this.ck.fill(0)
    this.ck = ck
    this.cipher.initializeKey(tempK.subarray(0, NOISE_KEY_BYTES))
    tempK.fill(0)
  }

  mixHash (data: Uint8Array): void {
    this.h = this.hash.digest([this.h, data])
  }

  hasKey (): boolean {
    return this.cipher.hasKey()
  }

  encryptAndHash (plaintext: Uint8Array): Buffer {
    const ciphertext = this.cipher.encryptWithAd(this.h, plaintext)
    this.mixHash(ciphertext)
    return ciphertext
  }

  decryptAndHash (ciphertext: Uint8Array): Buffer {
    const plaintext = this.cipher.decryptWithAd(this.h, ciphertext)
    this.mixHash(ciphertext)
    return plaintext
  }

  get handshakeHash (): Buffer {
    return Buffer.from(this.h)
  }

  /**
   * Noise Split(): two CipherStates from HKDF(ck, empty, 2). `extraKeyLabel`, when given,
   * additionally derives two 32-byte keys from the secret chaining key with
   * HKDF(ck, label, 2) — independent of the cipher keys because the input key
   * material differs — before ck is wiped.
   */
  split (observer?: NonceUseObserver, extraKeyLabel?: string): { first: CipherState, second: CipherState, extraKeys: [Buffer, Buffer] | null } {
    const [k1, k2] = noiseHkdf(this.hash, this.ck, Buffer.alloc(0), 2) as [Buffer, Buffer]
    const first = new CipherState(k1.subarray(0, NOISE_KEY_BYTES), observer)
    const second = new CipherState(k2.subarray(0, NOISE_KEY_BYTES), observer)
    k1.fill(0)
    k2.fill(0)
    let extraKeys: [Buffer, Buffer] | null = null
    if (extraKeyLabel != null) {
      const [e1, e2] = noiseHkdf(this.hash, this.ck, Buffer.from(extraKeyLabel, 'utf8'), 2) as [Buffer, Buffer]
      extraKeys = [Buffer.from(e1.subarray(0, NOISE_KEY_BYTES)), Buffer.from(e2.subarray(0, NOISE_KEY_BYTES))]
      e1.fill(0)
      e2.fill(0)
    }
    this.ck.fill(0)
    this.cipher.destroy()
    return { first, second, extraKeys }
  }
}
