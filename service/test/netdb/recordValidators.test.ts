import assert from 'node:assert/strict'
import type { Selectors, Validators } from '@libp2p/kad-dht'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { ed25519Sign } from '../../src/crypto/index.js'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { apRecordKey, nodeRecordKey } from '../../src/netdb/recordKeys.js'
import {
  AP_RECORD_MAX_BYTES, AP_RECORD_MAX_LIFETIME_MS, MAX_ISSUED_AT_SKEW_MS, NODE_RECORD_MAX_BYTES, NODE_RECORD_MAX_LIFETIME_MS
} from '../../src/netdb/recordLimits.js'
import { RecordRejectedError } from '../../src/netdb/recordRejectedError.js'
import type { RecordRejectionReason } from '../../src/netdb/recordRejectedError.js'
import { recordSelectors } from '../../src/netdb/recordSelectors.js'
import { createRecordValidators } from '../../src/netdb/recordValidators.js'
import { apRecordSigningMessage, encodeApRecord, signApRecord } from '../../src/netdb/records/apRecord.js'
import type { ApRecordFields } from '../../src/netdb/records/apRecord.js'
import { encodeNodeRecord, nodeRecordSigningMessage, signNodeRecord } from '../../src/netdb/records/nodeRecord.js'
import type { NodeRecordFields } from '../../src/netdb/records/nodeRecord.js'
import { apFieldsArb, makeIdentities, nodeFieldsArb, NOW, routingKeyPair } from './recordFixtures.js'
import type { TestIdentity } from './recordFixtures.js'

const validators = createRecordValidators(() => NOW)
const validateNode = validators['phantom-node']
const validateAp = validators['phantom-ap']

/** Runs a validator and returns the rejection reason, or null when the record is accepted. Anything but RecordRejectedError fails the test. */
function reasonOf (validate: (key: Uint8Array, value: Uint8Array) => void, key: Uint8Array, value: Uint8Array): RecordRejectionReason | null {
  try {
    validate(key, value)
    return null
  } catch (err) {
    assert.ok(err instanceof RecordRejectedError, `not a RecordRejectedError: ${String(err)}`)
    return err.reason
  }
}

function flipEveryBit (bytes: Uint8Array, check: (mutated: Buffer, index: number) => void): void {
  for (let i = 0; i < bytes.length * 8; i++) {
    const mutated = Buffer.from(bytes)
    mutated[i >> 3] = (mutated[i >> 3] as number) ^ (1 << (i & 7))
    check(mutated, i)
  }
}

describe('network-database record validators (PROTOCOL.md §4, §10 invariant 5)', () => {
  let identities: TestIdentity[] = []
  before(async () => { identities = await makeIdentities(6) })

  function nodeFields (id: TestIdentity, over: Partial<NodeRecordFields> = {}): NodeRecordFields {
    return {
      peerId: id.peerIdBytes, multiaddrs: [multiaddr('/ip4/198.51.100.7/tcp/4001').bytes], pbk: Buffer.alloc(32, 3),
      pbkNotAfter: NOW + 24 * 3_600_000, protocolVersion: 1, relayCapacity: 10_000, issuedAt: NOW - 1000, expiresAt: NOW + 3_600_000, ...over
    }
  }
  function apFields (keyIndex: number, over: Partial<ApRecordFields> = {}): ApRecordFields {
    const routing = routingKeyPair(keyIndex)
    return {
      ap: deriveApAddress(routing.publicKey), routingPub: routing.publicKey, e2ePub: Buffer.alloc(32, 4),
      entryNodes: [{ peerId: (identities[0] as TestIdentity).peerIdBytes, multiaddrs: [multiaddr('/ip6/2001:db8::1/tcp/4001').bytes] }],
      sequence: 5n, issuedAt: NOW - 1000, expiresAt: NOW + 1_800_000, ...over
    }
  }

  it('has the shape kad-dht expects', () => {
    const v: Validators = createRecordValidators()
    const s: Selectors = recordSelectors
    assert.deepEqual(Object.keys(v).sort(), ['phantom-ap', 'phantom-node'])
    assert.deepEqual(Object.keys(s).sort(), ['phantom-ap', 'phantom-node'])
  })

  it('accepts every well-formed, correctly signed, current record under its own key', () => {
    fc.assert(fc.property(nodeFieldsArb(identities), ({ identity, fields }) => {
      const value = encodeNodeRecord(signNodeRecord(fields, identity.secretKey))
      assert.equal(reasonOf(validateNode, nodeRecordKey(identity.peerIdString), value), null)
    }), { numRuns: 100 })
    fc.assert(fc.property(apFieldsArb(identities), ({ routing, fields }) => {
      const value = encodeApRecord(signApRecord(fields, routing.secretKey))
      assert.equal(reasonOf(validateAp, apRecordKey(fields.ap), value), null)
    }), { numRuns: 100 })
  })

  it('rejects every single-bit flip anywhere in a signed node record', () => {
    fc.assert(fc.property(nodeFieldsArb(identities), ({ identity, fields }) => {
      const key = nodeRecordKey(identity.peerIdString)
      const value = encodeNodeRecord(signNodeRecord(fields, identity.secretKey))
      flipEveryBit(value, (mutated, bit) => {
        assert.notEqual(reasonOf(validateNode, key, mutated), null, `bit ${bit} flipped was accepted`)
      })
    }), { numRuns: 4 })
  })

  it('rejects every single-bit flip anywhere in a signed AP record', () => {
    fc.assert(fc.property(apFieldsArb(identities), ({ routing, fields }) => {
      const key = apRecordKey(fields.ap)
      const value = encodeApRecord(signApRecord(fields, routing.secretKey))
      flipEveryBit(value, (mutated, bit) => {
        assert.notEqual(reasonOf(validateAp, key, mutated), null, `bit ${bit} flipped was accepted`)
      })
    }), { numRuns: 4 })
  })

  it('rejects forged signatures: random, another key\'s, or over other content', () => {
    const [a, b] = identities as [TestIdentity, TestIdentity]
    const fields = nodeFields(a)
    const random = encodeNodeRecord({ ...fields, signature: Buffer.alloc(64, 0x5a) })
    assert.equal(reasonOf(validateNode, nodeRecordKey(a.peerIdString), random), 'bad-signature')
    const byOther = encodeNodeRecord({ ...fields, signature: ed25519Sign(nodeRecordSigningMessage(fields), b.secretKey) })
    assert.equal(reasonOf(validateNode, nodeRecordKey(a.peerIdString), byOther), 'bad-signature')
    const reused = encodeNodeRecord({ ...fields, relayCapacity: 1, signature: signNodeRecord(fields, a.secretKey).signature })
    assert.equal(reasonOf(validateNode, nodeRecordKey(a.peerIdString), reused), 'bad-signature')
    // the domain separates: a node-record signature over the same bytes does not pass as an AP record signature
    const ap = apFields(0)
    const unsignedAp = apRecordSigningMessage(ap).subarray('phantom-ap-record-v1'.length)
    const crossDomain = encodeApRecord({ ...ap, signature: ed25519Sign(Buffer.concat([Buffer.from('phantom-node-record-v1'), unsignedAp]), routingKeyPair(0).secretKey) })
    assert.equal(reasonOf(validateAp, apRecordKey(ap.ap), crossDomain), 'bad-signature')
    const apByOther = encodeApRecord({ ...ap, signature: ed25519Sign(apRecordSigningMessage(ap), routingKeyPair(1).secretKey) })
    assert.equal(reasonOf(validateAp, apRecordKey(ap.ap), apByOther), 'bad-signature')
  })

  it('rejects an AP address not derived from routingPub, even when correctly signed', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 14, maxLength: 14 }), suffix => {
      const fields = apFields(2, { ap: Buffer.concat([Buffer.from([0xfd, 0x50]), suffix]) })
      fc.pre(!deriveApAddress(fields.routingPub).equals(Buffer.from(fields.ap)))
      const value = encodeApRecord({ ...fields, signature: ed25519Sign(apRecordSigningMessage(fields), routingKeyPair(2).secretKey) })
      assert.equal(reasonOf(validateAp, apRecordKey(fields.ap), value), 'wrong-derivation')
    }), { numRuns: 50 })
    // another owner's derived address with this owner's key
    const stolen = apFields(3, { ap: deriveApAddress(routingKeyPair(4).publicKey) })
    const value = encodeApRecord({ ...stolen, signature: ed25519Sign(apRecordSigningMessage(stolen), routingKeyPair(3).secretKey) })
    assert.equal(reasonOf(validateAp, apRecordKey(stolen.ap), value), 'wrong-derivation')
  })

  it('rejects records stored under another key or namespace', () => {
    const [a, b] = identities as [TestIdentity, TestIdentity]
    const node = encodeNodeRecord(signNodeRecord(nodeFields(a), a.secretKey))
    assert.equal(reasonOf(validateNode, nodeRecordKey(b.peerIdString), node), 'wrong-key')
    const ap = apFields(0)
    const apValue = encodeApRecord(signApRecord(ap, routingKeyPair(0).secretKey))
    assert.equal(reasonOf(validateAp, apRecordKey(deriveApAddress(routingKeyPair(1).publicKey)), apValue), 'wrong-key')
    assert.equal(reasonOf(validateNode, apRecordKey(ap.ap), node), 'wrong-key')
    assert.equal(reasonOf(validateAp, nodeRecordKey(a.peerIdString), apValue), 'wrong-key')
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
    assert.equal(reasonOf(validateNode, enc(`/pk/${a.peerIdString}`), node), 'wrong-key')
    assert.equal(reasonOf(validateNode, enc(`/phantom-node/${a.peerIdString}/x`), node), 'wrong-key')
    assert.equal(reasonOf(validateAp, enc(`/phantom-ap/${Buffer.from(ap.ap).toString('hex').toUpperCase()}`), apValue), 'wrong-key')
    // a node record value handed to the AP validator under a real AP key, and the reverse
    assert.notEqual(reasonOf(validateAp, apRecordKey(ap.ap), node), null)
    assert.notEqual(reasonOf(validateNode, nodeRecordKey(a.peerIdString), apValue), null)
  })

  it('rejects expired, future-dated and over-long records at the exact boundaries', () => {
    fc.assert(fc.property(nodeFieldsArb(identities), fc.nat(10 * 3_600_000), ({ identity, fields }, delta) => {
      const key = nodeRecordKey(identity.peerIdString)
      const value = encodeNodeRecord(signNodeRecord(fields, identity.secretKey))
      const at = (now: number): RecordRejectionReason | null => reasonOf(createRecordValidators(() => now)['phantom-node'], key, value)
      assert.equal(at(fields.expiresAt + delta), 'expired')
      // the last accepted millisecond (unless the path-building key ran out first)
      assert.equal(at(fields.expiresAt - 1), fields.pbkNotAfter <= fields.expiresAt - 1 ? 'expired' : null)
      assert.equal(at(fields.issuedAt - MAX_ISSUED_AT_SKEW_MS - 1 - delta), 'future')
      // the earliest accepted millisecond (the generator keeps issuedAt - skew <= NOW < expiresAt)
      assert.equal(at(fields.issuedAt - MAX_ISSUED_AT_SKEW_MS), null)
    }), { numRuns: 100 })
    fc.assert(fc.property(apFieldsArb(identities), fc.nat(10 * 3_600_000), ({ routing, fields }, delta) => {
      const key = apRecordKey(fields.ap)
      const value = encodeApRecord(signApRecord(fields, routing.secretKey))
      const at = (now: number): RecordRejectionReason | null => reasonOf(createRecordValidators(() => now)['phantom-ap'], key, value)
      assert.equal(at(fields.expiresAt + delta), 'expired')
      assert.equal(at(fields.issuedAt - MAX_ISSUED_AT_SKEW_MS - 1 - delta), 'future')
      assert.equal(at(fields.expiresAt - 1), null)
      assert.equal(at(fields.issuedAt - MAX_ISSUED_AT_SKEW_MS), null)
    }), { numRuns: 100 })
  })

  it('rejects lifetimes over the maximum and expiry before issue', () => {
    const a = identities[0] as TestIdentity
    const nodeAt = (over: Partial<NodeRecordFields>): RecordRejectionReason | null =>
      reasonOf(validateNode, nodeRecordKey(a.peerIdString), encodeNodeRecord(signNodeRecord(nodeFields(a, over), a.secretKey)))
    assert.equal(nodeAt({ issuedAt: NOW - 1000, expiresAt: NOW - 1000 + NODE_RECORD_MAX_LIFETIME_MS }), null)
    assert.equal(nodeAt({ issuedAt: NOW - 1000, expiresAt: NOW - 1000 + NODE_RECORD_MAX_LIFETIME_MS + 1 }), 'lifetime')
    assert.equal(nodeAt({ issuedAt: NOW + 1000, expiresAt: NOW + 999 }), 'lifetime')
    assert.equal(nodeAt({ pbkNotAfter: NOW }), 'expired')
    const apAt = (over: Partial<ApRecordFields>): RecordRejectionReason | null => {
      const fields = apFields(0, over)
      return reasonOf(validateAp, apRecordKey(fields.ap), encodeApRecord(signApRecord(fields, routingKeyPair(0).secretKey)))
    }
    assert.equal(apAt({ issuedAt: NOW - 1000, expiresAt: NOW - 1000 + AP_RECORD_MAX_LIFETIME_MS }), null)
    assert.equal(apAt({ issuedAt: NOW - 1000, expiresAt: NOW - 1000 + AP_RECORD_MAX_LIFETIME_MS + 1 }), 'lifetime')
    assert.equal(apAt({ issuedAt: NOW + 1000, expiresAt: NOW + 999 }), 'lifetime')
    assert.equal(apAt({ expiresAt: NOW }), 'expired')
  })

  it('rejects oversize values before decoding, trailing bytes, and unknown versions', () => {
    const a = identities[0] as TestIdentity
    const nodeKey = nodeRecordKey(a.peerIdString)
    const node = encodeNodeRecord(signNodeRecord(nodeFields(a), a.secretKey))
    assert.equal(reasonOf(validateNode, nodeKey, Buffer.concat([node, Buffer.alloc(1)])), 'malformed')
    assert.equal(reasonOf(validateNode, nodeKey, Buffer.concat([node, Buffer.alloc(NODE_RECORD_MAX_BYTES + 1 - node.length)])), 'oversize')
    assert.equal(reasonOf(validateNode, nodeKey, Buffer.alloc(10 * 1024 * 1024, 1)), 'oversize')
    assert.equal(reasonOf(validateNode, nodeKey, new Uint8Array(0)), 'malformed')
    const apF = apFields(0)
    const apKey = apRecordKey(apF.ap)
    const ap = encodeApRecord(signApRecord(apF, routingKeyPair(0).secretKey))
    assert.equal(reasonOf(validateAp, apKey, Buffer.concat([ap, Buffer.alloc(1)])), 'malformed')
    assert.equal(reasonOf(validateAp, apKey, Buffer.concat([ap, Buffer.alloc(AP_RECORD_MAX_BYTES + 1 - ap.length)])), 'oversize')
    for (const version of [0, 2, 0xff]) {
      assert.equal(reasonOf(validateNode, nodeKey, Buffer.concat([Buffer.from([version]), node.subarray(1)])), 'version')
      assert.equal(reasonOf(validateAp, apKey, Buffer.concat([Buffer.from([version]), ap.subarray(1)])), 'version')
    }
  })

  it('never accepts and never crashes on random keys and values (only RecordRejectedError)', () => {
    const a = identities[0] as TestIdentity
    const nodeKey = nodeRecordKey(a.peerIdString)
    const apKey = apRecordKey(deriveApAddress(routingKeyPair(0).publicKey))
    const key = fc.oneof(fc.constant(nodeKey), fc.constant(apKey), fc.uint8Array({ maxLength: 80 }))
    const value = fc.oneof(fc.uint8Array({ maxLength: 700 }), fc.uint8Array({ maxLength: 700 }).map(b => Buffer.concat([Buffer.from([1]), b])))
    fc.assert(fc.property(key, value, (k, v) => {
      assert.notEqual(reasonOf(validateNode, k, v), null)
      assert.notEqual(reasonOf(validateAp, k, v), null)
    }), { numRuns: 2000 })
  })
})
