import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { apRecordKey, nodeRecordKey, nodeRecordKeyFromPeerIdBytes, parseApRecordKey, parseNodeRecordKey } from '../../src/netdb/recordKeys.js'
import { DecodeError } from '../../src/wire/decodeError.js'
import { makeIdentities } from './recordFixtures.js'
import type { TestIdentity } from './recordFixtures.js'

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8')
const key = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('network-database record keys', () => {
  let identities: TestIdentity[] = []
  before(async () => { identities = await makeIdentities(3) })

  it('node record keys are /phantom-node/<base58 PeerId> and parse back', () => {
    for (const id of identities) {
      const k = nodeRecordKey(id.peerIdString)
      assert.equal(text(k), `/phantom-node/${id.peerIdString}`)
      assert.match(id.peerIdString, /^12D3KooW/)
      assert.equal(parseNodeRecordKey(k), id.peerIdString)
      assert.deepEqual(nodeRecordKeyFromPeerIdBytes(id.peerIdBytes), k)
    }
  })

  it('node record keys refuse non-Ed25519, non-canonical and foreign keys', async () => {
    const secp = peerIdFromPrivateKey(await generateKeyPair('secp256k1')).toString()
    const rsa = peerIdFromPrivateKey(await generateKeyPair('RSA', 1024)).toString()
    const good = (identities[0] as TestIdentity).peerIdString
    const cidForm = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toCID().toString()
    for (const bad of [secp, rsa, cidForm, '', good.slice(1), `${good}x`, good.toLowerCase(), ` ${good}`]) {
      assert.throws(() => nodeRecordKey(bad), DecodeError, bad)
      assert.throws(() => parseNodeRecordKey(key(`/phantom-node/${bad}`)), DecodeError, bad)
    }
    for (const bad of [`/phantom-ap/${good}`, `phantom-node/${good}`, `/phantom-node//${good}`, `/phantom-node/${good}/`, `/PHANTOM-NODE/${good}`]) {
      assert.throws(() => parseNodeRecordKey(key(bad)), DecodeError, bad)
    }
    assert.throws(() => parseNodeRecordKey(Uint8Array.from([0x2f, 0xff, 0xfe])), DecodeError)
    assert.throws(() => parseNodeRecordKey(new Uint8Array(129).fill(0x2f)), DecodeError)
  })

  it('AP record keys are /phantom-ap/<32 lower-case hex> and parse back', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), routingPub => {
      const ap = deriveApAddress(routingPub)
      const k = apRecordKey(ap)
      assert.equal(text(k), `/phantom-ap/${ap.toString('hex')}`)
      assert.deepEqual(parseApRecordKey(k), ap)
    }), { numRuns: 200 })
  })

  it('AP record keys refuse upper case, wrong length, outside fd50::/16 and other namespaces', () => {
    const ap = deriveApAddress(Buffer.alloc(32, 1)).toString('hex')
    for (const bad of [`/phantom-ap/${ap.toUpperCase()}`, `/phantom-ap/${ap.slice(2)}`, `/phantom-ap/${ap}00`, `/phantom-ap/fd51${ap.slice(4)}`,
      `/phantom-node/${ap}`, `/phantom-ap/${ap}/`, `/phantom-ap/0x${ap.slice(2)}`, `/phantom-ap/fd50::1`, '/phantom-ap/']) {
      assert.throws(() => parseApRecordKey(key(bad)), DecodeError, bad)
    }
    assert.throws(() => apRecordKey(Buffer.alloc(16)), RangeError)
  })

  it('random bytes never crash the key parsers (only DecodeError)', () => {
    const prefixed = fc.tuple(fc.constantFrom('/phantom-node/', '/phantom-ap/', '/pk/', ''), fc.string({ maxLength: 60 })).map(([p, s]) => key(p + s))
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), prefixed), bytes => {
      for (const parse of [parseNodeRecordKey, parseApRecordKey]) {
        try { parse(bytes) } catch (err) { assert.ok(err instanceof DecodeError, String(err)) }
      }
    }), { numRuns: 1000 })
  })
})
