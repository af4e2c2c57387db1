import type { HandshakeResult } from '../noise/handshakeState.js'
import type { NonceUseObserver } from '../noise/cipherState.js'
import { REKEY_AFTER_MESSAGES, REKEY_AFTER_MS } from '../sessionLimits.js'
import { LengthMask } from './lengthMask.js'
import { RecordOpener, type RecordOpenerHandlers } from './recordOpener.js'
import { RecordSealer } from './recordSealer.js'

export interface RecordLayerOptions {
  rekeyAfterMessages?: number
  rekeyAfterMs?: number
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
 * Split() derived the two length-mask keys (extraKeys = [i2r, r2i]).
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
  const sealer = new RecordSealer(sendCipher, sendMask, {
    afterMessages: options.rekeyAfterMessages ?? REKEY_AFTER_MESSAGES,
    afterMs: options.rekeyAfterMs ?? REKEY_AFTER_MS,
    now: options.now ?? Date.now
  })
  return { sealer, opener: new RecordOpener(receiveCipher, receiveMask, handlers) }
}
