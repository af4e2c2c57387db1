import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise, pureJsCrypto } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { sodiumNoiseCrypto, NoiseDecryptionError } from '../../src/link/sodiumNoiseCrypto.js'
import { coalescedNoise } from '../../src/link/coalescedNoise.js'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'

/** libp2p-noise's own uint8arraylist type (a copy of the package nested under it); the same class at run time. */
type NoiseBytes = Parameters<ICryptoInterface['hashSHA256']>[0]
import { LOOPBACK_NETWORKS } from '../../src/link/loopbackNetworks.js'
import { hasLengthPrefixRoom, LENGTH_PREFIX_BYTES } from '../../src/link/noiseOutputSlab.js'
import { waitFor } from '../harness/waitFor.js'

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A list of the bytes cut at the given points (so list inputs take every path). */
function listOf (bytes: Uint8Array, cuts: number[]): NoiseBytes {
  const points = [...new Set(cuts.map((c) => c % (bytes.byteLength + 1)))].sort((a, b) => a - b)
  const list = new Uint8ArrayList()
  let at = 0
  for (const p of [...points, bytes.byteLength]) {
    if (p > at) { list.append(bytes.slice(at, p)); at = p }
  }
  return list as unknown as NoiseBytes
}

describe('link: libp2p Noise primitives on sodium-native', () => {
  describe('known answers', () => {
    it('ChaCha20-Poly1305 AEAD (RFC 8439 §2.8.2): tag and round trip', () => {
      const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f')
      const nonce = hex('070000004041424344454647')
      const ad = hex('50515253c0c1c2c3c4c5c6c7')
      const plaintext = Buffer.from('Ladies and Gentlemen of the class of \'99: If I could offer you only one tip for the future, sunscreen would be it.')
      const sealed = sodiumNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, key) as Uint8Array
      assert.equal(toHex(sealed.subarray(0, 16)), 'd31a8d34648e60db7b86afbc53ef7ec2')
      assert.equal(toHex(sealed.subarray(sealed.byteLength - 16)), '1ae10b594f09e26a7e902ecbd0600691')
      const opened = sodiumNoiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, key) as Uint8Array
      assert.deepEqual(Buffer.from(opened), plaintext)
    })

    it('X25519 (RFC 7748 §6.1)', () => {
      const alice = sodiumNoiseCrypto.generateX25519KeyPairFromSeed(hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'))
      const bob = sodiumNoiseCrypto.generateX25519KeyPairFromSeed(hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'))
      assert.equal(toHex(alice.publicKey), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
      assert.equal(toHex(bob.publicKey), 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
      const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'
      assert.equal(toHex(sodiumNoiseCrypto.generateX25519SharedKey(alice.privateKey, bob.publicKey)), shared)
      assert.equal(toHex(sodiumNoiseCrypto.generateX25519SharedKey(bob.privateKey, alice.publicKey)), shared)
    })

    it('X25519 refuses a low-order public key', () => {
      const me = sodiumNoiseCrypto.generateX25519KeyPair()
      assert.throws(() => sodiumNoiseCrypto.generateX25519SharedKey(me.privateKey, new Uint8Array(32)))
    })

    it('SHA-256 of "abc", whole and in parts', () => {
      const abc = Buffer.from('abc')
      const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
      assert.equal(toHex(sodiumNoiseCrypto.hashSHA256(abc)), expected)
      assert.equal(toHex(sodiumNoiseCrypto.hashSHA256(listOf(abc, [1]))), expected)
    })

    it('HKDF-SHA256 (RFC 5869 test case 3: no salt, no info)', () => {
      const [k1, k2, k3] = sodiumNoiseCrypto.getHKDF(new Uint8Array(0), new Uint8Array(22).fill(0x0b))
      assert.equal(k3.byteLength, 32)
      assert.equal(toHex(Buffer.concat([k1, k2]).subarray(0, 42)), '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8')
    })
  })

  describe('same results as the pure-JS implementation libp2p-noise ships', () => {
    const key = fc.uint8Array({ minLength: 32, maxLength: 32 })
    const nonce = fc.uint8Array({ minLength: 12, maxLength: 12 })
    const ad = fc.uint8Array({ maxLength: 64 })
    const message = fc.uint8Array({ maxLength: 3000 })
    const cuts = fc.array(fc.nat(), { maxLength: 5 })

    it('encrypts as it does, from an array or a list', () => {
      fc.assert(fc.property(key, nonce, ad, message, cuts, (k, n, a, m, c) => {
        const expected = toHex(pureJsCrypto.chaCha20Poly1305Encrypt(m, n, a, k).subarray())
        assert.equal(toHex(sodiumNoiseCrypto.chaCha20Poly1305Encrypt(m, n, a, k).subarray()), expected)
        assert.equal(toHex(sodiumNoiseCrypto.chaCha20Poly1305Encrypt(listOf(m, c), n, a, k).subarray()), expected)
      }), { numRuns: 200 })
    })

    it('decrypts what it encrypts: from an array, a list, and in place into the ciphertext\'s own memory', () => {
      fc.assert(fc.property(key, nonce, ad, message, cuts, (k, n, a, m, c) => {
        const sealed = pureJsCrypto.chaCha20Poly1305Encrypt(m, n, a, k).subarray()
        assert.equal(toHex(sodiumNoiseCrypto.chaCha20Poly1305Decrypt(sealed, n, a, k).subarray()), toHex(m))
        assert.equal(toHex(sodiumNoiseCrypto.chaCha20Poly1305Decrypt(listOf(sealed, c), n, a, k).subarray()), toHex(m))
        const inPlace = Uint8Array.from(sealed)
        const dst = inPlace.subarray(0, inPlace.byteLength - 16)
        const opened = sodiumNoiseCrypto.chaCha20Poly1305Decrypt(inPlace, n, a, k, dst)
        assert.equal(toHex(opened.subarray()), toHex(m))
        assert.equal(toHex(dst), toHex(m))
        // as libp2p-noise decrypts a message that came in several reads: a list, and its body gathered as the destination
        const gathered = Uint8Array.from(sealed.subarray(0, m.byteLength))
        const fromList = sodiumNoiseCrypto.chaCha20Poly1305Decrypt(listOf(sealed, c), n, a, k, gathered)
        assert.equal(fromList, gathered, 'decrypted in the destination, no new buffer')
        assert.equal(toHex(gathered), toHex(m))
      }), { numRuns: 200 })
    })

    it('a list whose destination is not its body does not decrypt (the tag covers what is decrypted)', () => {
      fc.assert(fc.property(key, nonce, ad, message.filter((m) => m.byteLength > 0), cuts, fc.nat(), (k, n, a, m, c, at) => {
        const sealed = pureJsCrypto.chaCha20Poly1305Encrypt(m, n, a, k).subarray()
        const wrong = Uint8Array.from(sealed.subarray(0, m.byteLength))
        wrong[at % wrong.byteLength] ^= 1
        assert.throws(() => sodiumNoiseCrypto.chaCha20Poly1305Decrypt(listOf(sealed, c), n, a, k, wrong), NoiseDecryptionError)
      }), { numRuns: 100 })
    })

    it('cuts every ciphertext with room for its length in front (for coalescedNoise)', () => {
      fc.assert(fc.property(key, nonce, ad, message, cuts, (k, n, a, m, c) => {
        for (const input of [m, listOf(m, c)]) {
          const sealed = sodiumNoiseCrypto.chaCha20Poly1305Encrypt(input, n, a, k) as Uint8Array
          assert.ok(hasLengthPrefixRoom(sealed))
          assert.ok(sealed.byteOffset >= LENGTH_PREFIX_BYTES)
        }
      }), { numRuns: 50 })
    })

    it('rejects any altered ciphertext, tag or associated data, and never writes plaintext to the destination', () => {
      fc.assert(fc.property(key, nonce, ad, message, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (k, n, a, m, at, flip, alterAd) => {
        const sealed = Uint8Array.from(pureJsCrypto.chaCha20Poly1305Encrypt(m, n, a, k).subarray())
        const a2 = Uint8Array.from(a)
        if (alterAd && a2.byteLength > 0) a2[at % a2.byteLength] ^= flip
        else sealed[at % sealed.byteLength] ^= flip
        if (alterAd && a.byteLength === 0) return
        const before = toHex(sealed.subarray(0, m.byteLength))
        const dst = sealed.subarray(0, m.byteLength)
        assert.throws(() => sodiumNoiseCrypto.chaCha20Poly1305Decrypt(sealed, n, a2, k, dst), NoiseDecryptionError)
        // libsodium wipes the destination on failure; either way it never holds plaintext
        assert.ok(toHex(dst) === before || dst.every((b) => b === 0))
      }), { numRuns: 200 })
    })

    it('refuses a ciphertext shorter than a tag', () => {
      assert.throws(() => sodiumNoiseCrypto.chaCha20Poly1305Decrypt(new Uint8Array(15), new Uint8Array(12), new Uint8Array(0), new Uint8Array(32)), NoiseDecryptionError)
    })

    it('hashes, derives keys and agrees on X25519 secrets as it does', () => {
      fc.assert(fc.property(message, cuts, fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (m, c, ikm, seedA, seedB) => {
        assert.equal(toHex(sodiumNoiseCrypto.hashSHA256(listOf(m, c))), toHex(pureJsCrypto.hashSHA256(m)))
        const ck = pureJsCrypto.hashSHA256(m)
        assert.deepEqual(sodiumNoiseCrypto.getHKDF(ck, ikm).map(toHex), pureJsCrypto.getHKDF(ck, ikm).map(toHex))
        const a = sodiumNoiseCrypto.generateX25519KeyPairFromSeed(seedA)
        const b = pureJsCrypto.generateX25519KeyPairFromSeed(seedB)
        assert.equal(toHex(a.publicKey), toHex(pureJsCrypto.generateX25519KeyPairFromSeed(seedA).publicKey))
        assert.equal(toHex(sodiumNoiseCrypto.generateX25519SharedKey(a.privateKey, b.publicKey)), toHex(pureJsCrypto.generateX25519SharedKey(b.privateKey, a.publicKey)))
      }), { numRuns: 100 })
    })

    it('generates fresh key pairs whose public key matches the private key', () => {
      const a = sodiumNoiseCrypto.generateX25519KeyPair()
      const b = sodiumNoiseCrypto.generateX25519KeyPair()
      assert.notEqual(toHex(a.privateKey), toHex(b.privateKey))
      assert.equal(toHex(a.publicKey), toHex(pureJsCrypto.generateX25519KeyPairFromSeed(a.privateKey).publicKey))
    })
  })

  describe('a libp2p connection between a host with the default Noise crypto and one with ours (alone, and as the daemon runs it: coalescedNoise)', function () {
    this.timeout(60_000)
    const ECHO = '/phantom-test/echo/1.0.0'
    const hosts: Libp2p[] = []

    type Kind = 'default' | 'sodium' | 'coalesced'
    async function host (kind: Kind): Promise<Libp2p> {
      const h = await createLibp2p({
        privateKey: await generateKeyPair('Ed25519'),
        addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
        connectionManager: { allow: [...LOOPBACK_NETWORKS] },
        transports: [tcp()],
        connectionEncrypters: [kind === 'coalesced' ? coalescedNoise() : kind === 'sodium' ? noise({ crypto: sodiumNoiseCrypto }) : noise()],
        streamMuxers: [yamux()]
      })
      hosts.push(h)
      await h.handle(ECHO, (stream: Stream) => {
        stream.addEventListener('message', (evt) => { stream.send(evt.data) })
        stream.addEventListener('remoteCloseWrite', () => { stream.close().catch(() => {}) })
      })
      return h
    }

    after(async () => { await Promise.all(hosts.map(async (h) => { await h.stop() })) })

    const pairs: Array<[Kind, Kind]> = [['sodium', 'default'], ['default', 'sodium'], ['sodium', 'sodium'], ['coalesced', 'default'], ['default', 'coalesced'], ['coalesced', 'coalesced']]
    for (const [dialerKind, listenerKind] of pairs) {
      it(`carries 3 MiB both ways, ${dialerKind} dialing ${listenerKind}`, async () => {
        const dialer = await host(dialerKind)
        const listener = await host(listenerKind)
        const stream = await dialer.dialProtocol(listener.getMultiaddrs(), ECHO)
        const payload = Buffer.alloc(3 * 1024 * 1024)
        for (let i = 0; i < payload.byteLength; i++) payload[i] = (i * 7 + (i >> 11)) & 0xff
        const received = new Uint8ArrayList()
        stream.addEventListener('message', (evt) => { received.append(evt.data) })
        for (let at = 0; at < payload.byteLength; at += 100_000) {
          if (!stream.send(payload.subarray(at, at + 100_000))) await stream.onDrain()
        }
        await waitFor('the echo of every byte', () => received.byteLength >= payload.byteLength, 30_000, 10)
        assert.equal(received.byteLength, payload.byteLength)
        assert.ok(Buffer.from(received.subarray()).equals(payload))
        await stream.close()
      })
    }
  })
})
