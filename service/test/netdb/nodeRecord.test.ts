import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { ed25519FromSeed } from '../../src/crypto/index.js'
import { NODE_RECORD_MAX_BYTES, NODE_RECORD_SIGNING_DOMAIN } from '../../src/netdb/recordLimits.js'
import { ed25519PublicKeyFromPeerIdBytes } from '../../src/netdb/records/peerIdBytes.js'
import { decodeNodeRecord, encodeNodeRecord, nodeRecordSigningMessage, signNodeRecord, verifyNodeRecordSignature } from '../../src/netdb/records/nodeRecord.js'
import type { NodeRecord, NodeRecordFields } from '../../src/netdb/records/nodeRecord.js'
import { DecodeError } from '../../src/wire/decodeError.js'
import { makeIdentities, nodeFieldsArb, NOW } from './recordFixtures.js'
import type { TestIdentity } from './recordFixtures.js'

/** Decoded records hold Buffers; compare field by field as plain bytes. */
function normalise (r: NodeRecord): unknown {
  return { ...r, peerId: Buffer.from(r.peerId), multiaddrs: r.multiaddrs.map(m => Buffer.from(m)), pbk: Buffer.from(r.pbk), signature: Buffer.from(r.signature) }
}

function decodeOrNull (bytes: Uint8Array): NodeRecord | null {
  try {
    return decodeNodeRecord(bytes)
  } catch (err) {
    assert.ok(err instanceof DecodeError, `not a DecodeError: ${String(err)}`)
    return null
  }
}

describe('node record codec', () => {
  let identities: TestIdentity[] = []
  before(async () => { identities = await makeIdentities(4) })

  it('libp2p Ed25519 private keys are the 64-byte libsodium secret key (seed || public) and peer IDs embed the public key', async () => {
    const privateKey = await generateKeyPair('Ed25519')
    assert.equal(privateKey.raw.byteLength, 64)
    assert.deepEqual(Buffer.from(privateKey.raw.subarray(32)), Buffer.from(privateKey.publicKey.raw))
    assert.equal(ed25519FromSeed(privateKey.raw.subarray(0, 32)).secretKey.toString('hex'), Buffer.from(privateKey.raw).toString('hex'))
    const peerId = peerIdFromPrivateKey(privateKey)
    assert.equal(peerId.toMultihash().bytes.byteLength, 38)
    assert.deepEqual(ed25519PublicKeyFromPeerIdBytes(peerId.toMultihash().bytes), Buffer.from(privateKey.publicKey.raw))
  })

  it('round-trips random signed records; the encoding is canonical (decode then encode gives the same bytes)', () => {
    fc.assert(fc.property(nodeFieldsArb(identities), ({ identity, fields }) => {
      const record = signNodeRecord(fields, identity.secretKey)
      const bytes = encodeNodeRecord(record)
      assert.ok(bytes.length <= NODE_RECORD_MAX_BYTES)
      const decoded = decodeNodeRecord(bytes)
      assert.deepEqual(normalise(decoded), normalise(record))
      assert.deepEqual(encodeNodeRecord(decoded), bytes)
      assert.ok(verifyNodeRecordSignature(decoded))
    }), { numRuns: 150 })
  })

  it('signs "phantom-node-record-v1" || the bytes before the signature', () => {
    fc.assert(fc.property(nodeFieldsArb(identities), ({ identity, fields }) => {
      const bytes = encodeNodeRecord(signNodeRecord(fields, identity.secretKey))
      const message = nodeRecordSigningMessage(fields)
      assert.deepEqual(message, Buffer.concat([Buffer.from(NODE_RECORD_SIGNING_DOMAIN), bytes.subarray(0, bytes.length - 64)]))
    }), { numRuns: 30 })
  })

  it('rejects every truncation and every extension with DecodeError', () => {
    fc.assert(fc.property(nodeFieldsArb(identities), fc.uint8Array({ minLength: 1, maxLength: 40 }), ({ identity, fields }, extra) => {
      const bytes = encodeNodeRecord(signNodeRecord(fields, identity.secretKey))
      for (let length = 0; length < bytes.length; length++) {
        assert.throws(() => decodeNodeRecord(bytes.subarray(0, length)), DecodeError)
      }
      assert.throws(() => decodeNodeRecord(Buffer.concat([bytes, extra])), DecodeError)
    }), { numRuns: 25 })
  })

  it('rejects unknown versions, oversize input, over-limit counts and lengths, non-Ed25519 peer IDs and bad multiaddrs', async () => {
    const id = identities[0] as TestIdentity
    const base: NodeRecordFields = {
      peerId: id.peerIdBytes, multiaddrs: [multiaddr('/ip4/10.0.0.1/tcp/4001').bytes], pbk: Buffer.alloc(32, 7),
      pbkNotAfter: NOW + 1000, protocolVersion: 1, relayCapacity: 0, issuedAt: NOW, expiresAt: NOW + 1000
    }
    const bytes = encodeNodeRecord(signNodeRecord(base, id.secretKey))
    for (const version of [0, 2, 255]) {
      const b = Buffer.from(bytes); b[0] = version
      assert.throws(() => decodeNodeRecord(b), /unknown version/)
    }
    assert.throws(() => decodeNodeRecord(Buffer.alloc(NODE_RECORD_MAX_BYTES + 1, 1)), /exceeds the limit/)
    // multiaddr count byte sits after version (1) and peerId (1 + 38)
    const countAt = 40
    const many = Buffer.from(bytes); many[countAt] = 9
    assert.throws(() => decodeNodeRecord(many), /exceeds the limit of 8/)
    const longAddr = Buffer.from(bytes); longAddr[countAt + 1] = 129
    assert.throws(() => decodeNodeRecord(longAddr), DecodeError)
    // the encoder refuses what the decoder would refuse
    const sig = Buffer.alloc(64)
    const nine = Array.from({ length: 9 }, (_, i) => multiaddr(`/ip4/10.0.0.${i}/tcp/1`).bytes)
    assert.throws(() => encodeNodeRecord({ ...base, multiaddrs: nine, signature: sig }), RangeError)
    assert.throws(() => encodeNodeRecord({ ...base, multiaddrs: [new Uint8Array(129)], signature: sig }), RangeError)
    assert.throws(() => encodeNodeRecord({ ...base, multiaddrs: [Uint8Array.from([4, 1, 2, 3, 4, 6])], signature: sig }), /multiaddr: invalid/)
    // /dns4/ with invalid UTF-8: the lenient binary parser accepts it, the text round trip changes it
    assert.throws(() => encodeNodeRecord({ ...base, multiaddrs: [Uint8Array.from([54, 2, 0xc3, 0x28, 6, 0, 1])], signature: sig }), /canonical/)
    assert.throws(() => encodeNodeRecord({ ...base, multiaddrs: [base.multiaddrs[0] as Uint8Array, base.multiaddrs[0] as Uint8Array], signature: sig }), /duplicate/)
    assert.throws(() => encodeNodeRecord({ ...base, pbk: Buffer.alloc(31), signature: sig }), RangeError)
    assert.throws(() => encodeNodeRecord({ ...base, issuedAt: 1.5, signature: sig }), RangeError)
    assert.throws(() => encodeNodeRecord({ ...base, protocolVersion: 0x10000, signature: sig }), RangeError)
    for (const keyType of ['secp256k1', 'RSA'] as const) {
      const other = peerIdFromPrivateKey(keyType === 'RSA' ? await generateKeyPair('RSA', 1024) : await generateKeyPair(keyType)).toMultihash().bytes
      assert.throws(() => ed25519PublicKeyFromPeerIdBytes(other), DecodeError)
      assert.throws(() => encodeNodeRecord({ ...base, peerId: other, signature: sig }), /not an Ed25519 peer ID/)
      assert.throws(() => signNodeRecord({ ...base, peerId: other }, id.secretKey), RangeError)
    }
    // a non-canonical identity multihash carrying the same key: protobuf fields reordered
    const pub = id.peerIdBytes.subarray(6)
    const reordered = Buffer.concat([Buffer.from([0x00, 0x24, 0x12, 0x20]), pub, Buffer.from([0x08, 0x01])])
    assert.throws(() => ed25519PublicKeyFromPeerIdBytes(reordered), DecodeError)
  })

  it('times above 2^53 - 1 are malformed rather than rounded', () => {
    const id = identities[0] as TestIdentity
    const fields: NodeRecordFields = {
      peerId: id.peerIdBytes, multiaddrs: [], pbk: Buffer.alloc(32), pbkNotAfter: NOW, protocolVersion: 1, relayCapacity: 0, issuedAt: NOW, expiresAt: NOW
    }
    const bytes = encodeNodeRecord(signNodeRecord(fields, id.secretKey))
    const expiresAt = bytes.length - 64 - 8
    const b = Buffer.from(bytes); b.writeBigUInt64BE(1n << 53n, expiresAt)
    assert.throws(() => decodeNodeRecord(b), /out of range/)
    b.writeBigUInt64BE((1n << 53n) - 1n, expiresAt)
    assert.equal(decodeNodeRecord(b).expiresAt, Number.MAX_SAFE_INTEGER)
  })

  it('refuses to sign with a key that is not the peer ID\'s', () => {
    const [a, b] = identities as [TestIdentity, TestIdentity]
    const fields: NodeRecordFields = {
      peerId: a.peerIdBytes, multiaddrs: [], pbk: Buffer.alloc(32), pbkNotAfter: NOW, protocolVersion: 1, relayCapacity: 0, issuedAt: NOW, expiresAt: NOW
    }
    assert.throws(() => signNodeRecord(fields, b.secretKey), /does not belong/)
    assert.throws(() => signNodeRecord(fields, a.secretKey.subarray(0, 32)), RangeError)
  })

  it('random and mutated byte strings only ever raise DecodeError; whatever decodes re-encodes to the same bytes', () => {
    const signed = nodeFieldsArb(identities).map(({ identity, fields }) => encodeNodeRecord(signNodeRecord(fields, identity.secretKey)))
    const mutated = fc.tuple(signed, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([bytes, edits]) => { const b = Buffer.from(bytes); for (const [at, v] of edits) b[at % b.length] = v; return b })
    const versioned = fc.uint8Array({ maxLength: 600 }).map(b => Buffer.concat([Buffer.from([1]), b]))
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), versioned, mutated), bytes => {
      const decoded = decodeOrNull(bytes)
      if (decoded != null) assert.deepEqual(encodeNodeRecord(decoded), Buffer.from(bytes))
    }), { numRuns: 1500 })
  })
})
