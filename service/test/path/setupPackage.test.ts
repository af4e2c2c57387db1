import assert from 'node:assert/strict'
import fc from 'fast-check'
import { DecodeError } from '../../src/wire/index.js'
import {
  AP_RECORD_MAX, decodeSetupPackage, DUMMY_OPS, encodeSetupPackage, FLAG_ENTRY, FLAG_READY_FIRST, FLAG_SUCCESS, FLAG_TERMINATING, FLAG_X, FLAG_Y,
  MULTIADDR_MAX, MULTIADDRS_MAX, PEER_ID_MAX, PEER_REF_BYTES, SLOT_PLAIN, type DummyOp, type SetupPackage
} from '../../src/path/index.js'

const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })
const peerRef = fc.option(fc.record({
  peerId: fc.uint8Array({ minLength: 1, maxLength: PEER_ID_MAX }),
  multiaddrs: fc.array(fc.uint8Array({ minLength: 1, maxLength: MULTIADDR_MAX }), { maxLength: MULTIADDRS_MAX })
}), { nil: null })
const dummyOp: fc.Arbitrary<DummyOp> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  bytes(32).map((seed) => ({ kind: 'insert' as const, seed })),
  bytes(32).map((slotHash) => ({ kind: 'delete' as const, slotHash }))
)
const flags = fc.constantFrom(FLAG_X, FLAG_Y, FLAG_X | FLAG_SUCCESS, FLAG_Y | FLAG_SUCCESS, FLAG_X | FLAG_TERMINATING | FLAG_SUCCESS, FLAG_X | FLAG_TERMINATING | FLAG_ENTRY | FLAG_SUCCESS, FLAG_X | FLAG_TERMINATING | FLAG_READY_FIRST | FLAG_SUCCESS)
const setupPackageArb: fc.Arbitrary<SetupPackage> = fc.record({
  flags,
  prev: peerRef,
  next: peerRef,
  linkIn: bytes(32),
  linkOut: bytes(32),
  constructionKey: bytes(32),
  dummyOps: fc.array(dummyOp, { minLength: DUMMY_OPS, maxLength: DUMMY_OPS }),
  replacementSeed: bytes(32),
  peelKey: bytes(32),
  keySeed: bytes(32),
  keyCount: fc.integer({ min: 0, max: 0xffff }),
  expectedHash: bytes(32),
  apAddress: bytes(16),
  apRecord: fc.uint8Array({ maxLength: AP_RECORD_MAX })
})

function normalise (pkg: SetupPackage): unknown {
  const b = (u: Uint8Array): string => Buffer.from(u).toString('hex')
  const p = (r: SetupPackage['prev']): unknown => r == null ? null : { peerId: b(r.peerId), multiaddrs: r.multiaddrs.map(b) }
  return {
    ...pkg,
    prev: p(pkg.prev),
    next: p(pkg.next),
    linkIn: b(pkg.linkIn), linkOut: b(pkg.linkOut), constructionKey: b(pkg.constructionKey), replacementSeed: b(pkg.replacementSeed), peelKey: b(pkg.peelKey),
    keySeed: b(pkg.keySeed), expectedHash: b(pkg.expectedHash), apAddress: b(pkg.apAddress), apRecord: b(pkg.apRecord),
    dummyOps: pkg.dummyOps.map((op) => op.kind === 'none' ? op : op.kind === 'insert' ? { kind: op.kind, seed: b(op.seed) } : { kind: op.kind, slotHash: b(op.slotHash) })
  }
}

/** Offsets of the layout documented in docs/protocol.md. */
const OFF = {
  version: 0, flags: 1, prev: 2, next: 2 + PEER_REF_BYTES, linkIn: 654, linkOut: 686, constructionKey: 718, ops: 750,
  replacementSeed: 882, peelKey: 914, keySeed: 946, keyCount: 978, expectedHash: 980, apAddress: 1012, apRecordLength: 1028, apRecord: 1030, padding: 2054
}

function samplePackage (): SetupPackage {
  return {
    flags: FLAG_X | FLAG_TERMINATING | FLAG_ENTRY | FLAG_SUCCESS,
    prev: { peerId: Buffer.alloc(38, 1), multiaddrs: [Buffer.alloc(10, 2)] },
    next: null,
    linkIn: Buffer.alloc(32, 3), linkOut: Buffer.alloc(32, 0), constructionKey: Buffer.alloc(32, 4),
    dummyOps: [{ kind: 'insert', seed: Buffer.alloc(32, 5) }, { kind: 'none' }, { kind: 'delete', slotHash: Buffer.alloc(32, 6) }, { kind: 'none' }],
    replacementSeed: Buffer.alloc(32, 7), peelKey: Buffer.alloc(32, 12), keySeed: Buffer.alloc(32, 8), keyCount: 0x1234, expectedHash: Buffer.alloc(32, 9),
    apAddress: Buffer.alloc(16, 10), apRecord: Buffer.alloc(100, 11)
  }
}

describe('path setup package codec', () => {
  it('round-trips every valid package at exactly SLOT_PLAIN bytes', () => {
    fc.assert(fc.property(setupPackageArb, (pkg) => {
      const encoded = encodeSetupPackage(pkg)
      assert.equal(encoded.length, SLOT_PLAIN)
      assert.deepEqual(normalise(decodeSetupPackage(encoded)), normalise(pkg))
    }), { numRuns: 200 })
  })

  it('puts every field at its documented offset', () => {
    const e = encodeSetupPackage(samplePackage())
    assert.equal(e[OFF.version], 2)
    assert.equal(e[OFF.flags], 0x1d)
    assert.equal(e[OFF.prev], 38)
    assert.equal(e[OFF.prev + 1], 1)
    assert.equal(e[OFF.prev + 65], 1) // multiaddr count
    assert.equal(e[OFF.prev + 66], 10) // first multiaddr length
    assert.ok(e.subarray(OFF.next, OFF.linkIn).every((v) => v === 0))
    assert.equal(e[OFF.linkIn], 3)
    assert.equal(e[OFF.constructionKey], 4)
    assert.deepEqual([...e.subarray(OFF.ops, OFF.ops + 2)], [1, 5])
    assert.deepEqual([...e.subarray(OFF.ops + 66, OFF.ops + 68)], [2, 6])
    assert.equal(e[OFF.replacementSeed], 7)
    assert.equal(e[OFF.peelKey], 12)
    assert.equal(e[OFF.peelKey - 1], 7)
    assert.equal(e[OFF.keySeed], 8)
    assert.equal(e.readUInt16BE(OFF.keyCount), 0x1234)
    assert.equal(e[OFF.expectedHash], 9)
    assert.equal(e[OFF.apAddress], 10)
    assert.equal(e.readUInt16BE(OFF.apRecordLength), 100)
    assert.equal(e[OFF.apRecord + 99], 11)
    assert.equal(e[OFF.apRecord + 100], 0)
    assert.ok(e.subarray(OFF.padding).every((v) => v === 0))
  })

  it('rejects wrong version, unknown or inconsistent flags, oversize lengths and non-zero padding', () => {
    const good = encodeSetupPackage(samplePackage())
    const bad = (mutate: (b: Buffer) => void): void => {
      const b = Buffer.from(good)
      mutate(b)
      assert.throws(() => decodeSetupPackage(b), DecodeError)
    }
    decodeSetupPackage(good)
    bad((b) => { b[OFF.version] = 1 })
    bad((b) => { b[OFF.flags] = 0x40 | FLAG_X })
    bad((b) => { b[OFF.flags] = FLAG_READY_FIRST | FLAG_X }) // ready-first only at the terminating node
    bad((b) => { b[OFF.flags] = FLAG_X | FLAG_Y })
    bad((b) => { b[OFF.flags] = 0 })
    bad((b) => { b[OFF.flags] = FLAG_Y | FLAG_TERMINATING })
    bad((b) => { b[OFF.flags] = FLAG_X | FLAG_ENTRY })
    bad((b) => { b[OFF.prev] = PEER_ID_MAX + 1 })
    bad((b) => { b[OFF.prev + 64] = 1 }) // padding after a 38-byte PeerId
    bad((b) => { b[OFF.prev + 65] = MULTIADDRS_MAX + 1 })
    bad((b) => { b[OFF.prev + 65] = 2 }) // count says 2, second slot is empty
    bad((b) => { b[OFF.prev + 66] = MULTIADDR_MAX + 1 })
    bad((b) => { b[OFF.prev + 66 + 65] = 1 }) // multiaddr beyond the count
    bad((b) => { b[OFF.next + 65] = 1 }) // multiaddrs without a PeerId
    bad((b) => { b[OFF.ops] = 3 })
    bad((b) => { b[OFF.ops + 33 + 5] = 1 }) // data in a "none" op
    bad((b) => { b.writeUInt16BE(AP_RECORD_MAX + 1, OFF.apRecordLength) })
    bad((b) => { b[OFF.apRecord + 500] = 1 })
    bad((b) => { b[SLOT_PLAIN - 1] = 1 })
    assert.throws(() => decodeSetupPackage(good.subarray(1)), DecodeError)
    assert.throws(() => decodeSetupPackage(Buffer.concat([good, Buffer.alloc(1)])), DecodeError)
  })

  it('rejects values that do not fit when encoding', () => {
    assert.throws(() => encodeSetupPackage({ ...samplePackage(), apRecord: Buffer.alloc(AP_RECORD_MAX + 1) }), RangeError)
    assert.throws(() => encodeSetupPackage({ ...samplePackage(), prev: { peerId: Buffer.alloc(PEER_ID_MAX + 1), multiaddrs: [] } }), RangeError)
    assert.throws(() => encodeSetupPackage({ ...samplePackage(), dummyOps: [] }), RangeError)
    assert.throws(() => encodeSetupPackage({ ...samplePackage(), flags: FLAG_X | FLAG_Y }), RangeError)
  })

  it('never throws anything but DecodeError on random or mutated input', () => {
    const good = encodeSetupPackage(samplePackage())
    fc.assert(fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: SLOT_PLAIN + 8 }),
        fc.array(fc.tuple(fc.nat(SLOT_PLAIN - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
          const b = Buffer.from(good)
          for (const [i, v] of edits) b[i] = v
          return b
        })
      ),
      (input) => {
        try { decodeSetupPackage(input) } catch (err) { assert.ok(err instanceof DecodeError, String(err)) }
      }), { numRuns: 500 })
  })
})
