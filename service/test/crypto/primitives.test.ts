import assert from 'node:assert/strict'
import { blake2b256, constantTimeEqual, ed25519Generate, ed25519Sign, ed25519Verify, sealedBoxOpen, sealedBoxSeal, x25519Generate, xchacha20poly1305Decrypt, xchacha20poly1305Encrypt, randomBytes, kdfDerive } from '../../src/crypto/index.js'

describe('crypto primitives (sodium-native wrappers)', () => {
  it('BLAKE2b-256 matches the RFC 7693 style known answer for "abc" (unkeyed, 32 bytes)', () => {
    assert.equal(blake2b256(Buffer.from('abc')).toString('hex'), 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319')
  })
  it('Ed25519 signs and rejects altered messages', () => {
    const kp = ed25519Generate()
    const sig = ed25519Sign(Buffer.from('m'), kp.secretKey)
    assert.equal(ed25519Verify(sig, Buffer.from('m'), kp.publicKey), true)
    assert.equal(ed25519Verify(sig, Buffer.from('n'), kp.publicKey), false)
    assert.equal(ed25519Verify(sig.subarray(1), Buffer.from('m'), kp.publicKey), false)
  })
  it('sealed boxes open only for their recipient', () => {
    const a = x25519Generate(); const b = x25519Generate()
    const box = sealedBoxSeal(Buffer.from('hello'), a.publicKey)
    assert.equal(sealedBoxOpen(box, a)?.toString(), 'hello')
    assert.equal(sealedBoxOpen(box, b), null)
  })
  it('XChaCha20-Poly1305 detects tampering', () => {
    const key = randomBytes(32); const nonce = randomBytes(24)
    const ct = xchacha20poly1305Encrypt(key, nonce, Buffer.from('data'))
    assert.equal(xchacha20poly1305Decrypt(key, nonce, ct)?.toString(), 'data')
    ct[0] = (ct[0] as number) ^ 1
    assert.equal(xchacha20poly1305Decrypt(key, nonce, ct), null)
  })
  it('constant-time equality and KDF', () => {
    assert.equal(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 2])), true)
    assert.equal(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 3])), false)
    assert.equal(constantTimeEqual(Buffer.from([1]), Buffer.from([1, 2])), false)
    const k = randomBytes(32)
    assert.notDeepEqual(kdfDerive(k, 0, 'PHNTKEYS'), kdfDerive(k, 1, 'PHNTKEYS'))
  })
})
