import { x25519, x25519Generate, x25519PublicFromSecret, type X25519KeyPair } from '../../crypto/keyAgreement.js'
import type { CipherState, NonceUseObserver } from './cipherState.js'
import { parseNoiseProtocolName, type HandshakePattern } from './handshakePattern.js'
import { noiseHashByName } from './noiseHash.js'
import { SymmetricState } from './symmetricState.js'

export const NOISE_DH_BYTES = 32
export const NOISE_TAG_BYTES = 16
/** Noise rev 34 §3: no message may exceed 65535 bytes. */
export const NOISE_MAX_MESSAGE_BYTES = 65535

export class HandshakeError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'HandshakeError'
  }
}

export interface HandshakeOptions {
  /** e.g. "Noise_IK_25519_ChaChaPoly_SHA256" */
  protocolName: string
  initiator: boolean
  prologue?: Uint8Array
  /** Local static key pair (s). */
  staticKeyPair?: X25519KeyPair
  /** Remote static public key known beforehand (rs), e.g. the responder's key in IK. */
  remoteStaticPublicKey?: Uint8Array
  /**
   * Test-only: a fixed ephemeral secret key (for the published test vectors).
   * Production code must never pass this; a fresh ephemeral is generated otherwise.
   */
  fixedEphemeralSecretKeyForTests?: Uint8Array
  /** Passed to the transport CipherStates (instrumentation). */
  nonceObserver?: NonceUseObserver
  /** When set, Split() also derives two extra keys from the chaining key under this label. */
  extraKeyLabel?: string
}

export interface HandshakeResult {
  /** CipherState for messages from the initiator to the responder. */
  initiatorToResponder: CipherState
  /** CipherState for messages from the responder to the initiator. */
  responderToInitiator: CipherState
  handshakeHash: Buffer
  remoteStaticPublicKey: Buffer | null
  /** The two extra keys (see HandshakeOptions.extraKeyLabel) or null. */
  extraKeys: [Buffer, Buffer] | null
}

function keyPairFromSecret (secretKey: Uint8Array): X25519KeyPair {
  return { secretKey: Buffer.from(secretKey), publicKey: x25519PublicFromSecret(secretKey) }
}

/**
 * Noise HandshakeState (rev 34 §5.3) for DH 25519, cipher ChaChaPoly and hash
 * SHA256 or BLAKE2b, over any non-PSK pattern of handshakePattern.ts.
 */
export class HandshakeState {
  private readonly symmetric: SymmetricState
  private readonly pattern: HandshakePattern
  private readonly initiator: boolean
  private s: X25519KeyPair | null
  private e: X25519KeyPair | null = null
  private rs: Buffer | null
  private re: Buffer | null = null
  private messageIndex = 0
  private result: HandshakeResult | null = null
  private failed = false

  constructor (private readonly options: HandshakeOptions) {
    const { pattern, hashName } = parseNoiseProtocolName(options.protocolName)
    this.pattern = pattern
    this.initiator = options.initiator
    this.symmetric = new SymmetricState(noiseHashByName(hashName), options.protocolName)
    this.s = options.staticKeyPair ?? null
    this.rs = options.remoteStaticPublicKey != null ? Buffer.from(options.remoteStaticPublicKey) : null
    if (options.fixedEphemeralSecretKeyForTests != null) this.e = keyPairFromSecret(options.fixedEphemeralSecretKeyForTests)
    this.symmetric.mixHash(options.prologue ?? Buffer.alloc(0))
    const needs = (tokens: Array<'e' | 's'>, local: boolean): void => {
      for (const token of tokens) {
        if (token !== 's') throw new HandshakeError('ephemeral pre-messages are not supported')
        const key = local ? this.s?.publicKey : this.rs
        if (key == null) throw new HandshakeError(`pattern ${pattern.name} needs the ${local ? 'local' : 'remote'} static key beforehand`)
        this.symmetric.mixHash(key)
      }
    }
    needs(pattern.initiatorPreMessage, this.initiator)
    needs(pattern.responderPreMessage, !this.initiator)
  }

  /** True when it is this side's turn to write. */
  get isMyTurn (): boolean {
    return (this.messageIndex % 2 === 0) === this.initiator
  }

  get isComplete (): boolean {
    return this.result != null
  }

  get handshakeHash (): Buffer {
    return this.symmetric.handshakeHash
  }

  /** The remote static key, once known. */
  get remoteStaticPublicKey (): Buffer | null {
    return this.rs == null ? null : Buffer.from(this.rs)
  }

  /** The result after the last message (Split done). */
  get completed (): HandshakeResult {
    if (this.result == null) throw new HandshakeError('handshake not complete')
    return this.result
  }

  writeMessage (payload: Uint8Array): Buffer {
    this.assertTurn(true)
    const tokens = this.pattern.messages[this.messageIndex] as string[]
    const parts: Buffer[] = []
    try {
      for (const token of tokens) {
        switch (token) {
          case 'e': {
            if (this.e == null) this.e = x25519Generate()
            parts.push(Buffer.from(this.e.publicKey))
            this.symmetric.mixHash(this.e.publicKey)
            break
          }
          case 's': {
            if (this.s == null) throw new HandshakeError('local static key missing')
            parts.push(this.symmetric.encryptAndHash(this.s.publicKey))
            break
          }
          default: this.mixDh(token)
        }
      }
      parts.push(this.symmetric.encryptAndHash(payload))
    } catch (error) {
      this.failed = true
      throw error
    }
    const message = Buffer.concat(parts)
    if (message.byteLength > NOISE_MAX_MESSAGE_BYTES) {
      this.failed = true
      throw new HandshakeError('handshake message too long')
    }
    this.advance()
    return message
  }

  /** Returns the decrypted payload; throws (and the state becomes unusable) on any failure. */
  readMessage (message: Uint8Array): Buffer {
    this.assertTurn(false)
    const tokens = this.pattern.messages[this.messageIndex] as string[]
    let offset = 0
    const take = (count: number): Buffer => {
      if (offset + count > message.byteLength) throw new HandshakeError('handshake message truncated')
      const part = Buffer.from(message.subarray(offset, offset + count))
      offset += count
      return part
    }
    try {
      if (message.byteLength > NOISE_MAX_MESSAGE_BYTES) throw new HandshakeError('handshake message too long')
      for (const token of tokens) {
        switch (token) {
          case 'e': {
            this.re = take(NOISE_DH_BYTES)
            this.symmetric.mixHash(this.re)
            break
          }
          case 's': {
            const encrypted = take(this.symmetric.hasKey() ? NOISE_DH_BYTES + NOISE_TAG_BYTES : NOISE_DH_BYTES)
            this.rs = this.symmetric.decryptAndHash(encrypted)
            break
          }
          default: this.mixDh(token)
        }
      }
      const payload = this.symmetric.decryptAndHash(message.subarray(offset))
      this.advance()
      return payload
    } catch (error) {
      this.failed = true
      throw error instanceof HandshakeError ? error : new HandshakeError(`handshake message rejected: ${(error as Error).message}`)
    }
  }

  private mixDh (token: string): void {
    const local = (which: 'e' | 's'): X25519KeyPair => {
      const key = which === 'e' ? this.e : this.s
      if (key == null) throw new HandshakeError(`local ${which} key missing`)
      return key
    }
    const remote = (which: 'e' | 's'): Buffer => {
      const key = which === 'e' ? this.re : this.rs
      if (key == null) throw new HandshakeError(`remote ${which} key missing`)
      return key
    }
    // Token "xy": x is the initiator's key, y the responder's key.
    const first = token[0] as 'e' | 's'
    const second = token[1] as 'e' | 's'
    const shared = this.initiator ? x25519(local(first).secretKey, remote(second)) : x25519(local(second).secretKey, remote(first))
    this.symmetric.mixKey(shared)
    shared.fill(0)
  }

  private assertTurn (writing: boolean): void {
    if (this.failed) throw new HandshakeError('handshake already failed')
    if (this.result != null) throw new HandshakeError('handshake already complete')
    if (this.isMyTurn !== writing) throw new HandshakeError(writing ? 'not our turn to write' : 'not our turn to read')
  }

  private advance (): void {
    this.messageIndex++
    if (this.messageIndex < this.pattern.messages.length) return
    const handshakeHash = this.symmetric.handshakeHash
    const { first, second, extraKeys } = this.symmetric.split(this.options.nonceObserver, this.options.extraKeyLabel)
    this.result = { initiatorToResponder: first, responderToInitiator: second, handshakeHash, remoteStaticPublicKey: this.rs == null ? null : Buffer.from(this.rs), extraKeys }
    if (this.e != null) this.e.secretKey.fill(0)
  }
}
