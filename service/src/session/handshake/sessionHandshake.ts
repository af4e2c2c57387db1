import { randomBytes } from '../../crypto/random.js'
import type { Ed25519KeyPair } from '../../crypto/signing.js'
import type { X25519KeyPair } from '../../crypto/keyAgreement.js'
import { constantTimeEqual } from '../../crypto/constantTime.js'
import { deriveApAddress } from '../../netdb/apAddress.js'
import { HandshakeState, NOISE_DH_BYTES, NOISE_TAG_BYTES, type HandshakeResult } from '../noise/handshakeState.js'
import type { NonceUseObserver } from '../noise/cipherState.js'
import { HANDSHAKE_TIMESTAMP_WINDOW_MS, SESSION_NOISE_PROLOGUE, SESSION_NOISE_PROTOCOL, SESSION_PROTOCOL_VERSION } from '../sessionLimits.js'
import { LENGTH_MASK_LABEL } from '../transport/recordFormat.js'
import { signE2eBinding, verifyE2eBinding } from './e2eBinding.js'
import { decodeInitiatorPayload, decodeResponderPayload, encodeInitiatorPayload, encodeResponderPayload, HANDSHAKE_RANDOM_BYTES, INITIATOR_PAYLOAD_BYTES, RESPONDER_PAYLOAD_BYTES, type HandshakeHello } from './handshakePayload.js'
import type { ReplayCache } from './replayCache.js'

/** IK message 1: e (32) + encrypted s (32 + 16) + encrypted payload (122 + 16) = 218 bytes. */
export const HANDSHAKE_MESSAGE1_BYTES = NOISE_DH_BYTES + NOISE_DH_BYTES + NOISE_TAG_BYTES + INITIATOR_PAYLOAD_BYTES + NOISE_TAG_BYTES
/** IK message 2: e (32) + encrypted payload (26 + 16) = 74 bytes. */
export const HANDSHAKE_MESSAGE2_BYTES = NOISE_DH_BYTES + RESPONDER_PAYLOAD_BYTES + NOISE_TAG_BYTES

/** Why a handshake was refused; for logs and metrics only, never sent to the peer. */
export type HandshakeRejection =
  | 'wrong-size'
  | 'noise-failed'
  | 'malformed-payload'
  | 'unsupported-version'
  | 'timestamp-out-of-window'
  | 'bad-binding'
  | 'replay'
  | 'replay-cache-full'

/** Who is on the other end, as proven by the handshake. */
export interface AuthenticatedPeer {
  apAddress: Buffer
  /** Known to the responder from the handshake; the initiator side has the AP record instead (null here). */
  routingPublicKey: Buffer | null
  e2ePublicKey: Buffer
}

export interface HandshakeCommonOptions {
  now?: () => number
  flags?: number
  timestampWindowMs?: number
  nonceObserver?: NonceUseObserver
}

export type HandshakeOutcome<T> = ({ ok: true } & T) | { ok: false, reason: HandshakeRejection }

function hello (now: number, flags: number): HandshakeHello {
  return { version: SESSION_PROTOCOL_VERSION, flags, timestampMs: BigInt(Math.floor(now)), random: randomBytes(HANDSHAKE_RANDOM_BYTES) }
}

function withinWindow (timestampMs: bigint, now: number, windowMs: number): boolean {
  const delta = timestampMs - BigInt(Math.floor(now))
  const window = BigInt(windowMs)
  return delta <= window && delta >= -window
}

function noiseState (initiator: boolean, staticKeyPair: X25519KeyPair, remote: Uint8Array | null, observer: NonceUseObserver | undefined): HandshakeState {
  return new HandshakeState({
    protocolName: SESSION_NOISE_PROTOCOL,
    initiator,
    prologue: Buffer.from(SESSION_NOISE_PROLOGUE, 'ascii'),
    staticKeyPair,
    ...(remote != null ? { remoteStaticPublicKey: remote } : {}),
    extraKeyLabel: LENGTH_MASK_LABEL,
    ...(observer != null ? { nonceObserver: observer } : {})
  })
}

export interface InitiatorOptions extends HandshakeCommonOptions {
  /** The source AP address's keys: e2e (Noise static) and routing (binds e2e to the AP address). */
  e2eKeyPair: X25519KeyPair
  routingKeyPair: Ed25519KeyPair
  /** The responder's e2e key and AP address from its (validated) AP record. */
  responderE2ePublicKey: Uint8Array
  responderApAddress: Uint8Array
}

/** The initiator side of the session handshake (Noise IK + Phantom payloads). */
export class InitiatorHandshake {
  private readonly state: HandshakeState
  private readonly now: () => number

  constructor (private readonly options: InitiatorOptions) {
    this.now = options.now ?? Date.now
    this.state = noiseState(true, options.e2eKeyPair, options.responderE2ePublicKey, options.nonceObserver)
  }

  /** Message 1 (218 bytes). */
  firstMessage (): Buffer {
    const payload = encodeInitiatorPayload({
      ...hello(this.now(), this.options.flags ?? 0),
      routingPublicKey: this.options.routingKeyPair.publicKey,
      bindingSignature: signE2eBinding(this.options.routingKeyPair.secretKey, this.options.routingKeyPair.publicKey, this.options.e2eKeyPair.publicKey)
    })
    return this.state.writeMessage(payload)
  }

  /** Reads message 2; on success the session keys. */
  readResponse (message: Uint8Array): HandshakeOutcome<{ result: HandshakeResult, peerHello: HandshakeHello, peer: AuthenticatedPeer }> {
    if (message.byteLength !== HANDSHAKE_MESSAGE2_BYTES) return { ok: false, reason: 'wrong-size' }
    let payload: Buffer
    try { payload = this.state.readMessage(message) } catch { return { ok: false, reason: 'noise-failed' } }
    let peerHello: HandshakeHello
    try { peerHello = decodeResponderPayload(payload) } catch { return { ok: false, reason: 'malformed-payload' } }
    if (peerHello.version !== SESSION_PROTOCOL_VERSION) return { ok: false, reason: 'unsupported-version' }
    if (!withinWindow(peerHello.timestampMs, this.now(), this.options.timestampWindowMs ?? HANDSHAKE_TIMESTAMP_WINDOW_MS)) return { ok: false, reason: 'timestamp-out-of-window' }
    const result = this.state.completed
    return { ok: true, result, peerHello, peer: { apAddress: Buffer.from(this.options.responderApAddress), routingPublicKey: null, e2ePublicKey: Buffer.from(this.options.responderE2ePublicKey) } }
  }
}

export interface ResponderOptions extends HandshakeCommonOptions {
  e2eKeyPair: X25519KeyPair
  replayCache: ReplayCache
}

/**
 * The responder side: checks message 1 (Noise, payload, version, timestamp
 * window, AP binding, replay) and answers with message 2. A rejection returns
 * only a reason; the caller must then send nothing (silent refusal, T§5.5).
 */
export function respondToHandshake (message: Uint8Array, options: ResponderOptions): HandshakeOutcome<{ reply: Buffer, result: HandshakeResult, peerHello: HandshakeHello, peer: AuthenticatedPeer }> {
  if (message.byteLength !== HANDSHAKE_MESSAGE1_BYTES) return { ok: false, reason: 'wrong-size' }
  const now = (options.now ?? Date.now)()
  const windowMs = options.timestampWindowMs ?? HANDSHAKE_TIMESTAMP_WINDOW_MS
  const state = noiseState(false, options.e2eKeyPair, null, options.nonceObserver)
  let payload: Buffer
  try { payload = state.readMessage(message) } catch { return { ok: false, reason: 'noise-failed' } }
  let initiator: ReturnType<typeof decodeInitiatorPayload>
  try { initiator = decodeInitiatorPayload(payload) } catch { return { ok: false, reason: 'malformed-payload' } }
  if (initiator.version !== SESSION_PROTOCOL_VERSION) return { ok: false, reason: 'unsupported-version' }
  if (!withinWindow(initiator.timestampMs, now, windowMs)) return { ok: false, reason: 'timestamp-out-of-window' }
  const e2ePublicKey = state.remoteStaticPublicKey
  if (e2ePublicKey == null) return { ok: false, reason: 'noise-failed' }
  // The signature covers the Noise static key actually received, so it equals the signed e2e key.
  const apAddress = verifyE2eBinding(initiator.routingPublicKey, e2ePublicKey, initiator.bindingSignature)
  if (apAddress == null || !constantTimeEqual(apAddress, deriveApAddress(initiator.routingPublicKey))) return { ok: false, reason: 'bad-binding' }
  const ephemeral = message.subarray(0, NOISE_DH_BYTES)
  const verdict = options.replayCache.checkAndInsert(ephemeral, Number(initiator.timestampMs) + windowMs + 1, now)
  if (verdict === 'replay') return { ok: false, reason: 'replay' }
  if (verdict === 'full') return { ok: false, reason: 'replay-cache-full' }
  const reply = state.writeMessage(encodeResponderPayload(hello(now, options.flags ?? 0)))
  return {
    ok: true,
    reply,
    result: state.completed,
    peerHello: initiator,
    peer: { apAddress, routingPublicKey: initiator.routingPublicKey, e2ePublicKey }
  }
}
