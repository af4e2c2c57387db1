import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { AP_RECORD_MAX_BYTES, AP_RECORD_SIGNING_DOMAIN } from '../../src/netdb/recordLimits.js'
import { apRecordSigningMessage, decodeApRecord, encodeApRecord, signApRecord, verifyApRecordSignature } from '../../src/netdb/records/apRecord.js'
import type { ApRecord, ApRecordFields } from '../../src/netdb/records/apRecord.js'
import { DecodeError } from '../../src/wire/decodeError.js'
import { apFieldsArb, makeIdentities, NOW, routingKeyPair } from './recordFixtures.js'
import type { TestIdentity } from './recordFixtures.js'

function normalise (r: ApRecord): unknown {
  const b = (x: Uint8Array): string => Buffer.from(x).toString('hex')
  return {
    ...r, ap: b(r.ap), routingPub: b(r.routingPub), e2ePub: b(r.e2ePub), signature: b(r.signature),
    entryNodes: r.entryNodes.map(e => ({ peerId: b(e.peerId), multiaddrs: e.multiaddrs.map(b) }))
  }
}

function decodeOrNull (bytes: Uint8Array): ApRecord | null {
  try {
    return decodeApRecord(bytes)
  } catch (err) {
    assert.ok(err instanceof DecodeError, `not a DecodeError: ${String(err)}`)
    return null
  }
}

describe('AP record codec', () => {
  let identities: TestIdentity[] = []
  before(async () => { identities = await makeIdentities(9) })

  function baseFields (entryCount = 1): ApRecordFields {
    const routing = routingKeyPair(0)
    return {
      ap: deriveApAddress(routing.publicKey),
      routingPub: routing.publicKey,
      e2ePub: Buffer.alloc(32, 9),
      entryNodes: identities.slice(0, entryCount).map((id, i) => ({ peerId: id.peerIdBytes, multiaddrs: [multiaddr(`/ip4/10.${i}.0.1/tcp/4001`).bytes] })),
      sequence: 1n,
      issuedAt: NOW,
      expiresAt: NOW + 60_000
    }
  }

  it('round-trips random signed records; the encoding is canonical', () => {
    fc.assert(fc.property(apFieldsArb(identities), ({ routing, fields }) => {
      const record = signApRecord(fields, routing.secretKey)
      const bytes = encodeApRecord(record)
      assert.ok(bytes.length <= AP_RECORD_MAX_BYTES)
      const decoded = decodeApRecord(bytes)
      assert.deepEqual(normalise(decoded), normalise(record))
      assert.deepEqual(encodeApRecord(decoded), bytes)
      assert.ok(verifyApRecordSignature(decoded))
      assert.deepEqual(apRecordSigningMessage(fields), Buffer.concat([Buffer.from(AP_RECORD_SIGNING_DOMAIN), bytes.subarray(0, bytes.length - 64)]))
    }), { numRuns: 150 })
  })

  it('rejects every truncation and every extension with DecodeError', () => {
    fc.assert(fc.property(apFieldsArb(identities), fc.uint8Array({ minLength: 1, maxLength: 40 }), ({ routing, fields }, extra) => {
      const bytes = encodeApRecord(signApRecord(fields, routing.secretKey))
      for (let length = 0; length < bytes.length; length++) {
        assert.throws(() => decodeApRecord(bytes.subarray(0, length)), DecodeError)
      }
      assert.throws(() => decodeApRecord(Buffer.concat([bytes, extra])), DecodeError)
    }), { numRuns: 20 })
  })

  it('rejects unknown versions, oversize input, over-limit counts, duplicate entry nodes and bad peer IDs', () => {
    const fields = baseFields(2)
    const bytes = encodeApRecord(signApRecord(fields, routingKeyPair(0).secretKey))
    for (const version of [0, 2, 255]) {
      const b = Buffer.from(bytes); b[0] = version
      assert.throws(() => decodeApRecord(b), /unknown version/)
    }
    assert.throws(() => decodeApRecord(Buffer.alloc(AP_RECORD_MAX_BYTES + 1, 1)), /exceeds the limit/)
    const entryCountAt = 1 + 16 + 32 + 32
    const many = Buffer.from(bytes); many[entryCountAt] = 9
    assert.throws(() => decodeApRecord(many), /exceeds the limit of 8/)
    const sig = Buffer.alloc(64)
    const nine = Array.from({ length: 9 }, () => fields.entryNodes[0] as ApRecordFields['entryNodes'][number])
    assert.throws(() => encodeApRecord({ ...fields, entryNodes: nine, signature: sig }), RangeError)
    const twice = [fields.entryNodes[0], { ...fields.entryNodes[0], multiaddrs: [] }] as ApRecordFields['entryNodes']
    assert.throws(() => encodeApRecord({ ...fields, entryNodes: twice, signature: sig }), /duplicate/)
    assert.throws(() => encodeApRecord({ ...fields, entryNodes: [{ peerId: Buffer.alloc(38), multiaddrs: [] }], signature: sig }), /not an Ed25519 peer ID/)
    assert.throws(() => encodeApRecord({ ...fields, sequence: 1n << 64n, signature: sig }), RangeError)
    assert.throws(() => encodeApRecord({ ...fields, sequence: -1n, signature: sig }), RangeError)
    assert.throws(() => encodeApRecord({ ...fields, e2ePub: Buffer.alloc(33), signature: sig }), RangeError)
    // over the 4096-byte bound: eight entry nodes with eight long addresses each
    const long = (i: number, j: number): Uint8Array => multiaddr(`/dns4/${'x'.repeat(90)}${i}-${j}.example/tcp/1`).bytes
    const huge = identities.slice(0, 8).map((id, i) => ({ peerId: id.peerIdBytes, multiaddrs: Array.from({ length: 8 }, (_, j) => long(i, j)) }))
    assert.throws(() => signApRecord({ ...fields, entryNodes: huge }, routingKeyPair(0).secretKey), /exceeds the limit of 4096/)
  })

  it('signing insists on the routing key of routingPub and on the derived address', () => {
    const fields = baseFields()
    assert.throws(() => signApRecord(fields, routingKeyPair(1).secretKey), /does not belong/)
    assert.throws(() => signApRecord({ ...fields, ap: deriveApAddress(routingKeyPair(1).publicKey) }, routingKeyPair(0).secretKey), /not derived/)
    assert.ok(verifyApRecordSignature(signApRecord(fields, routingKeyPair(0).secretKey)))
  })

  it('sequence numbers use the full u64 range exactly', () => {
    const fields = { ...baseFields(), sequence: (1n << 64n) - 1n }
    assert.equal(decodeApRecord(encodeApRecord(signApRecord(fields, routingKeyPair(0).secretKey))).sequence, (1n << 64n) - 1n)
  })

  it('random and mutated byte strings only ever raise DecodeError; whatever decodes re-encodes to the same bytes', () => {
    const signed = apFieldsArb(identities).map(({ routing, fields }) => encodeApRecord(signApRecord(fields, routing.secretKey)))
    const mutated = fc.tuple(signed, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([bytes, edits]) => { const b = Buffer.from(bytes); for (const [at, v] of edits) b[at % b.length] = v; return b })
    const versioned = fc.uint8Array({ maxLength: 1200 }).map(b => Buffer.concat([Buffer.from([1]), b]))
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 1200 }), versioned, mutated), bytes => {
      const decoded = decodeOrNull(bytes)
      if (decoded != null) assert.deepEqual(encodeApRecord(decoded), Buffer.from(bytes))
    }), { numRuns: 1500 })
  })
})
