import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ed25519Generate, ed25519Sign } from '../../src/crypto/signing.js'
import { x25519Generate } from '../../src/crypto/keyAgreement.js'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { DecodeError } from '../../src/wire/decodeError.js'
import { HandshakeState } from '../../src/session/noise/handshakeState.js'
import { e2eBindingMessage } from '../../src/session/handshake/e2eBinding.js'
import { decodeInitiatorPayload, decodeResponderPayload, encodeInitiatorPayload, INITIATOR_PAYLOAD_BYTES } from '../../src/session/handshake/handshakePayload.js'
import { ReplayCache } from '../../src/session/handshake/replayCache.js'
import { HANDSHAKE_MESSAGE1_BYTES, HANDSHAKE_MESSAGE2_BYTES, InitiatorHandshake, respondToHandshake } from '../../src/session/handshake/sessionHandshake.js'
import { LENGTH_MASK_LABEL } from '../../src/session/transport/recordFormat.js'

const MINUTE = 60_000
const T0 = 1_800_000_000_000

function parties (initiatorNow = T0) {
  const initiatorRouting = ed25519Generate()
  const initiatorE2e = x25519Generate()
  const responderE2e = x25519Generate()
  const responderAp = deriveApAddress(ed25519Generate().publicKey)
  const initiator = new InitiatorHandshake({ e2eKeyPair: initiatorE2e, routingKeyPair: initiatorRouting, responderE2ePublicKey: responderE2e.publicKey, responderApAddress: responderAp, now: () => initiatorNow })
  return { initiator, initiatorRouting, initiatorE2e, responderE2e, responderAp }
}

describe('session handshake (Noise IK + Phantom payloads)', () => {
  it('completes; the responder learns exactly the initiator AP address; messages have fixed sizes', () => {
    const p = parties()
    const message1 = p.initiator.firstMessage()
    assert.equal(message1.byteLength, HANDSHAKE_MESSAGE1_BYTES)
    assert.equal(HANDSHAKE_MESSAGE1_BYTES, 218)
    const answer = respondToHandshake(message1, { e2eKeyPair: p.responderE2e, replayCache: new ReplayCache(), now: () => T0 + 1000 })
    assert.ok(answer.ok)
    assert.equal(answer.reply.byteLength, HANDSHAKE_MESSAGE2_BYTES)
    assert.deepEqual(answer.peer.apAddress, deriveApAddress(p.initiatorRouting.publicKey))
    assert.deepEqual(answer.peer.e2ePublicKey, p.initiatorE2e.publicKey)
    const done = p.initiator.readResponse(answer.reply)
    assert.ok(done.ok)
    assert.deepEqual(done.result.handshakeHash, answer.result.handshakeHash)
    assert.deepEqual(done.peer.apAddress, p.responderAp)
    const ct = done.result.initiatorToResponder.encryptWithAd(Buffer.alloc(0), Buffer.from('hi'))
    assert.equal(answer.result.initiatorToResponder.decryptWithAd(Buffer.alloc(0), ct).toString(), 'hi')
    assert.ok(done.result.extraKeys != null && answer.result.extraKeys != null)
  })

  it('rejects a replayed first message (same ephemeral key) silently with reason "replay"', () => {
    const p = parties()
    const cache = new ReplayCache()
    const message1 = p.initiator.firstMessage()
    assert.ok(respondToHandshake(message1, { e2eKeyPair: p.responderE2e, replayCache: cache, now: () => T0 }).ok)
    const again = respondToHandshake(message1, { e2eKeyPair: p.responderE2e, replayCache: cache, now: () => T0 + 2 * MINUTE })
    assert.deepEqual(again, { ok: false, reason: 'replay' })
    // once the window has passed, the timestamp check rejects it
    const late = respondToHandshake(message1, { e2eKeyPair: p.responderE2e, replayCache: cache, now: () => T0 + 6 * MINUTE })
    assert.deepEqual(late, { ok: false, reason: 'timestamp-out-of-window' })
  })

  it('accepts timestamps within ±5 min and rejects those outside', () => {
    for (const [offset, ok] of [[-5 * MINUTE, true], [5 * MINUTE, true], [-5 * MINUTE - 1, false], [5 * MINUTE + 1, false], [-3600_000, false]] as const) {
      const p = parties(T0 + offset)
      const answer = respondToHandshake(p.initiator.firstMessage(), { e2eKeyPair: p.responderE2e, replayCache: new ReplayCache(), now: () => T0 })
      assert.equal(answer.ok, ok, `offset ${offset}`)
      if (!answer.ok) assert.equal(answer.reason, 'timestamp-out-of-window')
    }
  })

  it('the initiator rejects a responder timestamp out of window', () => {
    const p = parties(T0)
    const answer = respondToHandshake(p.initiator.firstMessage(), { e2eKeyPair: p.responderE2e, replayCache: new ReplayCache(), now: () => T0 + 6 * MINUTE })
    assert.equal(answer.ok, false)
    const q = parties(T0)
    const reply = respondToHandshake(q.initiator.firstMessage(), { e2eKeyPair: q.responderE2e, replayCache: new ReplayCache(), now: () => T0 + 6 * MINUTE, timestampWindowMs: 10 * MINUTE })
    assert.ok(reply.ok)
    assert.deepEqual(q.initiator.readResponse(reply.reply), { ok: false, reason: 'timestamp-out-of-window' })
  })

  it('rejects a binding signed by another routing key, or over another e2e key or AP address', () => {
    const responderE2e = x25519Generate()
    const attempt = (sign: (routing: ReturnType<typeof ed25519Generate>, e2e: ReturnType<typeof x25519Generate>) => { routingPublicKey: Buffer, bindingSignature: Buffer }) => {
      const routing = ed25519Generate()
      const e2e = x25519Generate()
      const state = new HandshakeState({ protocolName: 'Noise_IK_25519_ChaChaPoly_SHA256', initiator: true, prologue: Buffer.from('phantom-session-v1'), staticKeyPair: e2e, remoteStaticPublicKey: responderE2e.publicKey, extraKeyLabel: LENGTH_MASK_LABEL })
      const payload = encodeInitiatorPayload({ version: 1, flags: 0, timestampMs: BigInt(T0), random: Buffer.alloc(16, 1), ...sign(routing, e2e) })
      return respondToHandshake(state.writeMessage(payload), { e2eKeyPair: responderE2e, replayCache: new ReplayCache(), now: () => T0 })
    }
    // control: a correct binding built by hand is accepted
    assert.ok(attempt((r, e) => ({ routingPublicKey: r.publicKey, bindingSignature: ed25519Sign(e2eBindingMessage(deriveApAddress(r.publicKey), e.publicKey), r.secretKey) })).ok)
    const other = ed25519Generate()
    assert.deepEqual(attempt((r, e) => ({ routingPublicKey: r.publicKey, bindingSignature: ed25519Sign(e2eBindingMessage(deriveApAddress(r.publicKey), e.publicKey), other.secretKey) })), { ok: false, reason: 'bad-binding' })
    assert.deepEqual(attempt((r) => ({ routingPublicKey: r.publicKey, bindingSignature: ed25519Sign(e2eBindingMessage(deriveApAddress(r.publicKey), x25519Generate().publicKey), r.secretKey) })), { ok: false, reason: 'bad-binding' })
    assert.deepEqual(attempt((r, e) => ({ routingPublicKey: r.publicKey, bindingSignature: ed25519Sign(e2eBindingMessage(deriveApAddress(other.publicKey), e.publicKey), r.secretKey) })), { ok: false, reason: 'bad-binding' })
  })

  it('rejects wrong sizes, tampering and a message for another responder', () => {
    const p = parties()
    const message1 = p.initiator.firstMessage()
    const options = { e2eKeyPair: p.responderE2e, replayCache: new ReplayCache(), now: () => T0 }
    assert.deepEqual(respondToHandshake(message1.subarray(1), options), { ok: false, reason: 'wrong-size' })
    for (let i = 0; i < message1.byteLength; i += 11) {
      const tampered = Buffer.from(message1); tampered[i] = (tampered[i] as number) ^ 4
      assert.deepEqual(respondToHandshake(tampered, options), { ok: false, reason: 'noise-failed' })
    }
    assert.deepEqual(respondToHandshake(message1, { ...options, e2eKeyPair: x25519Generate() }), { ok: false, reason: 'noise-failed' })
    const answer = respondToHandshake(message1, options)
    assert.ok(answer.ok)
    const reply = Buffer.from(answer.reply); reply[40] = (reply[40] as number) ^ 1
    assert.deepEqual(p.initiator.readResponse(reply), { ok: false, reason: 'noise-failed' })
  })

  it('replay cache is bounded and fails closed when full of live entries', () => {
    const cache = new ReplayCache(2)
    assert.equal(cache.checkAndInsert(Buffer.from([1]), 100, 0), 'fresh')
    assert.equal(cache.checkAndInsert(Buffer.from([2]), 100, 0), 'fresh')
    assert.equal(cache.checkAndInsert(Buffer.from([3]), 100, 0), 'full')
    assert.equal(cache.checkAndInsert(Buffer.from([1]), 100, 50), 'replay')
    assert.equal(cache.checkAndInsert(Buffer.from([3]), 200, 100), 'fresh')
    assert.ok(cache.size <= 2)
  })

  it('payload codecs: exact sizes, reserved flags refused, fuzzed input only ever throws DecodeError', () => {
    const valid = encodeInitiatorPayload({ version: 1, flags: 1, timestampMs: 5n, random: Buffer.alloc(16), routingPublicKey: Buffer.alloc(32), bindingSignature: Buffer.alloc(64) })
    assert.equal(valid.byteLength, INITIATOR_PAYLOAD_BYTES)
    assert.equal(decodeInitiatorPayload(valid).flags, 1)
    const flagged = Buffer.from(valid); flagged[1] = 0x02
    assert.throws(() => decodeInitiatorPayload(flagged), DecodeError)
    assert.throws(() => decodeInitiatorPayload(Buffer.concat([valid, Buffer.alloc(1)])), DecodeError)
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
      for (const decode of [decodeInitiatorPayload, decodeResponderPayload]) {
        try { decode(input) } catch (error) { assert.ok(error instanceof DecodeError) }
      }
    }), { numRuns: 1000 })
  })
})
