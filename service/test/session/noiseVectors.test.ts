import assert from 'node:assert/strict'
import vectorFile from './noise-vectors.json' with { type: 'json' }
import { x25519PublicFromSecret } from '../../src/crypto/keyAgreement.js'
import { HandshakeState } from '../../src/session/noise/handshakeState.js'
import { parseNoiseProtocolName } from '../../src/session/noise/handshakePattern.js'

interface NoiseVector {
  protocol_name: string
  init_prologue: string
  init_static?: string
  init_ephemeral: string
  init_remote_static?: string
  resp_prologue: string
  resp_static?: string
  resp_ephemeral: string
  handshake_hash: string
  messages: Array<{ payload: string, ciphertext: string }>
}

/** A copy of /work/shared/vectors/noise-vectors.json (cacophony, public domain), kept next to the test so it also runs from dist/. */
function loadVectors (): NoiseVector[] {
  return (vectorFile as { vectors: NoiseVector[] }).vectors
}

const hex = (s: string): Buffer => Buffer.from(s, 'hex')
const keyPair = (secret: string) => ({ secretKey: hex(secret), publicKey: x25519PublicFromSecret(hex(secret)) })

describe('Noise (rev 34) against the cacophony vectors', () => {
  const vectors = loadVectors()

  it('the vector file holds IK/SHA256, IK/BLAKE2b and XX/SHA256', () => {
    const names = vectors.map(v => v.protocol_name).sort()
    assert.deepEqual(names, ['Noise_IK_25519_ChaChaPoly_BLAKE2b', 'Noise_IK_25519_ChaChaPoly_SHA256', 'Noise_XX_25519_ChaChaPoly_SHA256'])
  })

  for (const vector of vectors) {
    it(`${vector.protocol_name}: every message and the handshake hash match byte for byte`, () => {
      const { pattern } = parseNoiseProtocolName(vector.protocol_name)
      const initiator = new HandshakeState({
        protocolName: vector.protocol_name,
        initiator: true,
        prologue: hex(vector.init_prologue),
        ...(vector.init_static != null ? { staticKeyPair: keyPair(vector.init_static) } : {}),
        ...(vector.init_remote_static != null ? { remoteStaticPublicKey: hex(vector.init_remote_static) } : {}),
        fixedEphemeralSecretKeyForTests: hex(vector.init_ephemeral)
      })
      const responder = new HandshakeState({
        protocolName: vector.protocol_name,
        initiator: false,
        prologue: hex(vector.resp_prologue),
        ...(vector.resp_static != null ? { staticKeyPair: keyPair(vector.resp_static) } : {}),
        fixedEphemeralSecretKeyForTests: hex(vector.resp_ephemeral)
      })
      const handshakeLength = pattern.messages.length
      vector.messages.forEach((message, index) => {
        const fromInitiator = index % 2 === 0
        const payload = hex(message.payload)
        let ciphertext: Buffer
        let received: Buffer
        if (index < handshakeLength) {
          const [writer, reader] = fromInitiator ? [initiator, responder] : [responder, initiator]
          ciphertext = writer.writeMessage(payload)
          assert.equal(ciphertext.toString('hex'), message.ciphertext, `message ${index}`)
          received = reader.readMessage(ciphertext)
        } else {
          if (index === handshakeLength) {
            assert.equal(initiator.completed.handshakeHash.toString('hex'), vector.handshake_hash)
            assert.equal(responder.completed.handshakeHash.toString('hex'), vector.handshake_hash)
          }
          const send = fromInitiator ? initiator.completed.initiatorToResponder : responder.completed.responderToInitiator
          const receive = fromInitiator ? responder.completed.initiatorToResponder : initiator.completed.responderToInitiator
          ciphertext = send.encryptWithAd(Buffer.alloc(0), payload)
          assert.equal(ciphertext.toString('hex'), message.ciphertext, `message ${index}`)
          received = receive.decryptWithAd(Buffer.alloc(0), ciphertext)
        }
        assert.deepEqual(received, payload)
      })
      assert.deepEqual(responder.completed.remoteStaticPublicKey, x25519PublicFromSecret(hex(vector.init_static as string)))
    })
  }
})
