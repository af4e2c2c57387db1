import { ed25519Generate } from '../../src/crypto/signing.js'
import { x25519Generate } from '../../src/crypto/keyAgreement.js'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { acceptSession, connectSession } from '../../src/session/establishSession.js'
import { ReplayCache } from '../../src/session/handshake/replayCache.js'
import type { Session, SessionOptions } from '../../src/session/streams/session.js'
import type { ByteDuplex } from '../../src/session/transport/byteDuplex.js'
import { createMemoryDuplexPair, type MemoryDuplexOptions } from '../../src/session/transport/memoryDuplexPair.js'
import type { Readable } from 'node:stream'
import assert from 'node:assert/strict'
import { decodeFrame, encodeFrame, type Frame } from '../../src/session/frames/frameCodec.js'
import { FrameType } from '../../src/session/frames/frameType.js'
import { HANDSHAKE_MESSAGE2_BYTES, InitiatorHandshake } from '../../src/session/handshake/sessionHandshake.js'
import { createRecordLayer, type RecordLayerOptions } from '../../src/session/transport/recordLayer.js'

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

export interface RawPeerOptions {
  /** Options of the real responder Session. */
  responder?: SessionOptions
  duplex?: MemoryDuplexOptions
  /** The raw peer's own record layer (e.g. a rekey policy the responder must refuse). */
  record?: RecordLayerOptions
}

/** A hand-driven initiator that can send arbitrary frames to a real responder Session; `frames` are those the responder sent. */
export async function rawPeer (options: RawPeerOptions = {}) {
  const [a, b] = createMemoryDuplexPair(options.duplex)
  const e2e = x25519Generate()
  const accepted = acceptSession(b, { e2eKeyPair: e2e, replayCache: new ReplayCache(), ...options.responder })
  const handshake = new InitiatorHandshake({ e2eKeyPair: x25519Generate(), routingKeyPair: ed25519Generate(), responderE2ePublicKey: e2e.publicKey, responderApAddress: Buffer.alloc(16) })
  const frames: Frame[] = []
  let pending = Buffer.alloc(0)
  let layer: ReturnType<typeof createRecordLayer> | null = null
  a.onData((bytes) => {
    if (layer != null) { layer.opener.push(bytes); return }
    pending = Buffer.concat([pending, bytes])
    if (pending.byteLength < HANDSHAKE_MESSAGE2_BYTES) return
    const outcome = handshake.readResponse(pending.subarray(0, HANDSHAKE_MESSAGE2_BYTES))
    assert.ok(outcome.ok)
    layer = createRecordLayer(outcome.result, true, { record: (p) => frames.push(decodeFrame(p)), failure: (e) => { throw e } }, options.record)
    layer.opener.push(pending.subarray(HANDSHAKE_MESSAGE2_BYTES))
  })
  a.send(handshake.firstMessage())
  const session = await accepted
  await waitFor(() => layer != null, 'raw peer handshake')
  const sendRaw = (plaintext: Buffer): void => a.send((layer as ReturnType<typeof createRecordLayer>).sealer.seal(plaintext))
  const send = (frame: Frame): void => sendRaw(encodeFrame(frame))
  let closeError: Error | undefined
  session.on('close', (error) => { closeError = error })
  return { session, send, sendRaw, frames, closeError: () => closeError, transports: [a, b] as [ByteDuplex, ByteDuplex] }
}

/** The error code of the first GOAWAY among `frames`. */
export function goawayCode (frames: Frame[]): number | undefined {
  const goaway = frames.find(f => f.type === FrameType.GOAWAY)
  return goaway?.type === FrameType.GOAWAY ? goaway.errorCode : undefined
}
