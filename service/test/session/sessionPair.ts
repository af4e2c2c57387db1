import { ed25519Generate } from '../../src/crypto/signing.js'
import { x25519Generate } from '../../src/crypto/keyAgreement.js'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { acceptSession, connectSession } from '../../src/session/establishSession.js'
import { ReplayCache } from '../../src/session/handshake/replayCache.js'
import type { Session, SessionOptions } from '../../src/session/streams/session.js'
import type { ByteDuplex } from '../../src/session/transport/byteDuplex.js'
import { createMemoryDuplexPair, type MemoryDuplexOptions } from '../../src/session/transport/memoryDuplexPair.js'
import type { Readable } from 'node:stream'

export interface PairOptions {
  initiator?: SessionOptions
  responder?: SessionOptions
  duplex?: MemoryDuplexOptions
  nonceObserver?: (key: Buffer, nonce: bigint) => void
}

/** Two sessions over an in-memory transport; `transports` are its two ends (the initiator's first). */
export async function sessionPair (options: PairOptions = {}): Promise<{ initiator: Session, responder: Session, initiatorAp: Buffer, responderAp: Buffer, transports: [ByteDuplex, ByteDuplex] }> {
  const [a, b] = createMemoryDuplexPair(options.duplex)
  const initiatorRouting = ed25519Generate()
  const responderRouting = ed25519Generate()
  const responderE2e = x25519Generate()
  const observer = options.nonceObserver != null ? { nonceObserver: options.nonceObserver, record: { nonceObserver: options.nonceObserver } } : {}
  const merge = (own: SessionOptions | undefined): SessionOptions => ({ ...own, record: { ...own?.record, ...observer.record } })
  const [responder, initiator] = await Promise.all([
    acceptSession(b, { e2eKeyPair: responderE2e, replayCache: new ReplayCache(), ...observer, ...merge(options.responder) }),
    connectSession(a, { e2eKeyPair: x25519Generate(), routingKeyPair: initiatorRouting, responderE2ePublicKey: responderE2e.publicKey, responderApAddress: deriveApAddress(responderRouting.publicKey), ...observer, ...merge(options.initiator) })
  ])
  return { initiator, responder, initiatorAp: deriveApAddress(initiatorRouting.publicKey), responderAp: deriveApAddress(responderRouting.publicKey), transports: [a, b] }
}

/** Resolves when `condition()` holds; polls on setImmediate; rejects after `timeoutMs`. */
export async function waitFor (condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setImmediate(resolve))
  }
}

/** Reads a stream to its end; resolves with all bytes. */
export function readAll (stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
  })
}
