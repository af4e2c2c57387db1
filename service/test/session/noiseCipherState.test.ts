import assert from 'node:assert/strict'
import { hmacSha256 } from '../../src/crypto/hmacSha256.js'
import { chachaPolyIetfEncrypt } from '../../src/crypto/chachaPolyIetf.js'
import { randomBytes } from '../../src/crypto/random.js'
import { x25519Generate } from '../../src/crypto/keyAgreement.js'
import { CipherState, chachaPolyNonce, DecryptionFailedError, NOISE_MAX_NONCE, NonceExhaustedError } from '../../src/session/noise/cipherState.js'
import { HandshakeState } from '../../src/session/noise/handshakeState.js'

const EMPTY = Buffer.alloc(0)

describe('HMAC-SHA256 (RFC 4231)', () => {
  it('test case 1', () => {
    assert.equal(hmacSha256(Buffer.alloc(20, 0x0b), Buffer.from('Hi There')).toString('hex'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7')
  })
  it('test case 6 (key longer than a block is hashed first)', () => {
    assert.equal(hmacSha256(Buffer.alloc(131, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')).toString('hex'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54')
  })
  it('several inputs are concatenated', () => {
    const key = randomBytes(32)
    assert.deepEqual(hmacSha256(key, Buffer.from('Hi '), Buffer.from('There')), hmacSha256(key, Buffer.from('Hi There')))
  })
})

describe('Noise CipherState', () => {
  it('nonce is 4 zero bytes || 64-bit little-endian counter', () => {
    assert.equal(chachaPolyNonce(0x0102030405060708n).toString('hex'), '000000000807060504030201')
  })

  it('without a key it passes data through', () => {
    const cs = new CipherState()
    assert.deepEqual(cs.encryptWithAd(EMPTY, Buffer.from('x')), Buffer.from('x'))
  })

  it('encrypts with nonce n and increments; a failed decryption does not advance n', () => {
    const key = randomBytes(32)
    const sender = new CipherState(key)
    const receiver = new CipherState(key)
    const ad = Buffer.from('ad')
    const c0 = sender.encryptWithAd(ad, Buffer.from('zero'))
    assert.deepEqual(c0, chachaPolyIetfEncrypt(key, chachaPolyNonce(0n), Buffer.from('zero'), ad))
    const c1 = sender.encryptWithAd(ad, Buffer.from('one'))
    const bad = Buffer.from(c0); bad[0] = (bad[0] as number) ^ 0x80
    assert.throws(() => receiver.decryptWithAd(ad, bad), DecryptionFailedError)
    assert.equal(receiver.nonce, 0n)
    assert.equal(receiver.decryptWithAd(ad, c0).toString(), 'zero')
    assert.equal(receiver.decryptWithAd(ad, c1).toString(), 'one')
    assert.throws(() => receiver.decryptWithAd(Buffer.from('other'), c1), DecryptionFailedError)
  })

  it('in place (record layer): the same bytes as encryptWithAd, decrypted into a buffer; a bad tag does not advance n and yields no plaintext', () => {
    const key = randomBytes(32)
    const reference = new CipherState(key)
    const sender = new CipherState(key)
    const receiver = new CipherState(key)
    const ad = Buffer.from('ad')
    for (const text of ['zero', 'one', 'a longer message '.repeat(100)]) {
      const expected = reference.encryptWithAd(ad, Buffer.from(text))
      const data = Buffer.from(text)
      const tag = Buffer.alloc(16)
      sender.encryptInPlaceWithAd(ad, data, tag)
      assert.deepEqual(Buffer.concat([data, tag]), expected)
      const badTag = Buffer.from(tag); badTag[3] = (badTag[3] as number) ^ 1
      const out = Buffer.alloc(data.byteLength)
      const n = receiver.nonce
      assert.throws(() => { receiver.decryptIntoWithAd(ad, data, badTag, out) }, DecryptionFailedError)
      assert.equal(receiver.nonce, n)
      assert.ok(out.every((b) => b === 0))
      receiver.decryptIntoWithAd(ad, data, tag, out)
      assert.equal(out.toString(), text)
      assert.equal(receiver.nonce, n + 1n)
    }
    assert.throws(() => { new CipherState().encryptInPlaceWithAd(ad, Buffer.alloc(1), Buffer.alloc(16)) })
    assert.throws(() => { new CipherState().decryptIntoWithAd(ad, Buffer.alloc(1), Buffer.alloc(16), Buffer.alloc(1)) })
  })

  it('refuses nonce 2^64-1 (exhaustion) but uses 2^64-2', () => {
    const key = randomBytes(32)
    const sender = new CipherState(key)
    const receiver = new CipherState(key)
    sender.setNonce(NOISE_MAX_NONCE - 1n)
    receiver.setNonce(NOISE_MAX_NONCE - 1n)
    const last = sender.encryptWithAd(EMPTY, Buffer.from('last'))
    assert.equal(receiver.decryptWithAd(EMPTY, last).toString(), 'last')
    assert.throws(() => sender.encryptWithAd(EMPTY, Buffer.from('x')), NonceExhaustedError)
    assert.throws(() => receiver.decryptWithAd(EMPTY, last), NonceExhaustedError)
  })

  it('REKEY: k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zeros), n unchanged', () => {
    const key = randomBytes(32)
    const cs = new CipherState(key)
    cs.encryptWithAd(EMPTY, Buffer.from('a'))
    cs.rekey()
    assert.equal(cs.nonce, 1n)
    const expectedKey = chachaPolyIetfEncrypt(key, chachaPolyNonce(NOISE_MAX_NONCE), Buffer.alloc(32), EMPTY).subarray(0, 32)
    assert.deepEqual(cs.encryptWithAd(EMPTY, Buffer.from('b')), chachaPolyIetfEncrypt(expectedKey, chachaPolyNonce(1n), Buffer.from('b'), EMPTY))
  })

  it('a destroyed state refuses to work instead of passing data through', () => {
    const cs = new CipherState(randomBytes(32))
    cs.destroy()
    assert.throws(() => cs.encryptWithAd(EMPTY, Buffer.from('x')))
  })
})

describe('Noise HandshakeState (IK, random keys)', () => {
  const protocolName = 'Noise_IK_25519_ChaChaPoly_SHA256'
  it('a tampered first message is rejected and the state is then unusable', () => {
    const responderStatic = x25519Generate()
    for (let position = 0; position < 96; position += 7) {
      const initiator = new HandshakeState({ protocolName, initiator: true, staticKeyPair: x25519Generate(), remoteStaticPublicKey: responderStatic.publicKey })
      const responder = new HandshakeState({ protocolName, initiator: false, staticKeyPair: responderStatic })
      const message = initiator.writeMessage(Buffer.from('payload'))
      message[position] = (message[position] as number) ^ 1
      assert.throws(() => responder.readMessage(message))
      assert.throws(() => responder.readMessage(message))
    }
  })
  it('a first message for another responder key is rejected', () => {
    const initiator = new HandshakeState({ protocolName, initiator: true, staticKeyPair: x25519Generate(), remoteStaticPublicKey: x25519Generate().publicKey })
    const responder = new HandshakeState({ protocolName, initiator: false, staticKeyPair: x25519Generate() })
    assert.throws(() => responder.readMessage(initiator.writeMessage(EMPTY)))
  })
  it('writing out of turn and truncated messages are refused', () => {
    const responderStatic = x25519Generate()
    const initiator = new HandshakeState({ protocolName, initiator: true, staticKeyPair: x25519Generate(), remoteStaticPublicKey: responderStatic.publicKey })
    const responder = new HandshakeState({ protocolName, initiator: false, staticKeyPair: responderStatic })
    assert.throws(() => responder.writeMessage(EMPTY))
    const message = initiator.writeMessage(EMPTY)
    assert.throws(() => responder.readMessage(message.subarray(0, 40)))
  })
})
