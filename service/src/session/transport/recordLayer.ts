import type { HandshakeResult } from '../noise/handshakeState.js'
import type { NonceUseObserver } from '../noise/cipherState.js'
import { PEER_REKEY_GRACE_MS, REKEY_AFTER_MESSAGES, REKEY_AFTER_MS } from '../sessionLimits.js'
import { LengthMask } from './lengthMask.js'
import { RecordOpener, type RecordOpenerHandlers } from './recordOpener.js'
import { RecordSealer } from './recordSealer.js'

export interface RecordLayerOptions {
  rekeyAfterMessages?: number
  rekeyAfterMs?: number
  /** The most the peer may send under one key (T§11.1; this side may rekey sooner, the peer may too). */
  peerRekeyAfterMessages?: number
  peerRekeyAfterMs?: number
  now?: () => number
  /** Instrumentation: sees every (key, nonce) used for encryption and length masking. */
  nonceObserver?: NonceUseObserver
}

export interface RecordLayer {
  sealer: RecordSealer
  opener: RecordOpener
}

/**
 * Builds both halves of the record layer from a completed handshake whose
 * Split() derived the two length-mask keys (extraKeys = [i2r, r2i]). The sealer
 * rekeys by this side's policy; the opener holds the peer to T§11.1's.
 */
export function createRecordLayer (handshake: HandshakeResult, isInitiator: boolean, handlers: RecordOpenerHandlers, options: RecordLayerOptions = {}): RecordLayer {
  if (handshake.extraKeys == null) throw new Error('record layer: the handshake did not derive length-mask keys')
  const [maskI2r, maskR2i] = handshake.extraKeys
  const sendCipher = isInitiator ? handshake.initiatorToResponder : handshake.responderToInitiator
  const receiveCipher = isInitiator ? handshake.responderToInitiator : handshake.initiatorToResponder
  const sendMask = new LengthMask(isInitiator ? maskI2r : maskR2i, options.nonceObserver)
  const receiveMask = new LengthMask(isInitiator ? maskR2i : maskI2r)
  maskI2r.fill(0)
  maskR2i.fill(0)
  const afterMessages = options.rekeyAfterMessages ?? REKEY_AFTER_MESSAGES
  const afterMs = options.rekeyAfterMs ?? REKEY_AFTER_MS
  const now = options.now ?? Date.now
  const sealer = new RecordSealer(sendCipher, sendMask, { afterMessages, afterMs, now })
  // the peer is held to T§11.1, with a grace for records in flight
  const opener = new RecordOpener(receiveCipher, receiveMask, handlers, {
    maxMessages: options.peerRekeyAfterMessages ?? REKEY_AFTER_MESSAGES,
    maxKeyAgeMs: (options.peerRekeyAfterMs ?? REKEY_AFTER_MS) + PEER_REKEY_GRACE_MS,
    now
  })
  return { sealer, opener }
}
