import type { Ed25519KeyPair } from '../crypto/signing.js'
import type { X25519KeyPair } from '../crypto/keyAgreement.js'
import { HANDSHAKE_MESSAGE1_BYTES, HANDSHAKE_MESSAGE2_BYTES, InitiatorHandshake, respondToHandshake, type HandshakeRejection } from './handshake/sessionHandshake.js'
import type { ReplayCache } from './handshake/replayCache.js'
import type { NonceUseObserver } from './noise/cipherState.js'
import { HANDSHAKE_TIMEOUT_MS } from './sessionLimits.js'
import { Session, type SessionOptions } from './streams/session.js'
import type { ByteDuplex } from './transport/byteDuplex.js'

/** The handshake did not complete. `reason` is for logs and metrics only; nothing was sent to the peer for it. */
export class HandshakeFailedError extends Error {
  constructor (readonly reason: HandshakeRejection | 'timeout' | 'transport-closed') {
    super(`session handshake failed: ${reason}`)
    this.name = 'HandshakeFailedError'
  }
}

interface EstablishCommon extends SessionOptions {
  handshakeTimeoutMs?: number
  timestampWindowMs?: number
  flags?: number
  nonceObserver?: NonceUseObserver
}

export interface ConnectSessionOptions extends EstablishCommon {
  e2eKeyPair: X25519KeyPair
  routingKeyPair: Ed25519KeyPair
  responderE2ePublicKey: Uint8Array
  responderApAddress: Uint8Array
}

export interface AcceptSessionOptions extends EstablishCommon {
  e2eKeyPair: X25519KeyPair
  replayCache: ReplayCache
}

/**
 * Collects exactly `size` bytes from the transport (the handshake messages
 * have fixed sizes, so they need no framing). Bytes after them — in the same
 * chunk or arriving before the caller takes over the transport — are kept and
 * returned by `rest()`, which the caller must call synchronously right before
 * installing its own data handler.
 */
function readExactly (transport: ByteDuplex, size: number, timeoutMs: number): Promise<{ message: Buffer, rest: () => Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let have = 0
    let settled = false
    const timer = setTimeout(() => fail(new HandshakeFailedError('timeout')), timeoutMs)
    timer.unref()
    const fail = (error: Error): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      transport.onData(() => {})
      reject(error)
    }
    transport.onClose(() => fail(new HandshakeFailedError('transport-closed')))
    transport.onData((bytes) => {
      chunks.push(Buffer.from(bytes))
      have += bytes.byteLength
      if (settled || have < size) return
      settled = true
      clearTimeout(timer)
      const first = Buffer.concat(chunks)
      chunks.length = 0
      chunks.push(first.subarray(size))
      resolve({ message: first.subarray(0, size), rest: () => Buffer.concat(chunks) })
    })
  })
}

/** Initiator: runs the IK handshake over `transport` and returns the established Session. */
export async function connectSession (transport: ByteDuplex, options: ConnectSessionOptions): Promise<Session> {
  const timeoutMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS
  const handshake = new InitiatorHandshake(options)
  const reply = readExactly(transport, HANDSHAKE_MESSAGE2_BYTES, timeoutMs)
  transport.send(handshake.firstMessage())
  let received: { message: Buffer, rest: () => Buffer }
  try {
    received = await reply
  } catch (error) {
    transport.close()
    throw error
  }
  const outcome = handshake.readResponse(received.message)
  if (!outcome.ok) {
    transport.close()
    throw new HandshakeFailedError(outcome.reason)
  }
  return new Session(transport, outcome.result, outcome.peer, true, options, received.rest())
}

/**
 * Responder: reads message 1, checks it and answers. On rejection it answers
 * nothing: the promise rejects at once with the reason, and the transport is
 * kept open (its bytes ignored) until the handshake timeout, then closed, so
 * a prober cannot tell a rejection from a slow responder (T§5.5).
 */
export async function acceptSession (transport: ByteDuplex, options: AcceptSessionOptions): Promise<Session> {
  const timeoutMs = options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS
  let received: { message: Buffer, rest: () => Buffer }
  try {
    received = await readExactly(transport, HANDSHAKE_MESSAGE1_BYTES, timeoutMs)
  } catch (error) {
    transport.close()
    throw error
  }
  const outcome = respondToHandshake(received.message, options)
  if (!outcome.ok) {
    transport.onData(() => {})
    const timer = setTimeout(() => transport.close(), timeoutMs)
    timer.unref()
    transport.onClose(() => clearTimeout(timer))
    throw new HandshakeFailedError(outcome.reason)
  }
  transport.send(outcome.reply)
  return new Session(transport, outcome.result, outcome.peer, false, options, received.rest())
}
