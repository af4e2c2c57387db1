/**
 * The setup package: what the owner tells one ring member, in one canonical
 * fixed-layout encoding of exactly SLOT_PLAIN bytes (PROTOCOL.md §6). Offsets
 * are listed in docs/protocol.md; this codec is the single source of truth.
 */
import { ByteReader, ByteWriter, DecodeError } from '../../wire/index.js'
import {
  AP_ADDRESS_BYTES, AP_RECORD_MAX, CONSTRUCTION_KEY_BYTES, DUMMY_OPS, HASH_BYTES, LINK_ID_BYTES,
  SEED_BYTES, SETUP_VERSION, SLOT_PLAIN
} from './constants.js'
import { DUMMY_OP_DELETE, DUMMY_OP_INSERT, DUMMY_OP_NONE, type DummyOp } from './dummyOp.js'
import { isAllZero, readPeerRef, writePeerRef, type PeerRef } from './peerRef.js'

export const FLAG_X = 0x01
export const FLAG_Y = 0x02
export const FLAG_TERMINATING = 0x04
export const FLAG_ENTRY = 0x08
export const FLAG_SUCCESS = 0x10
/** Round 2, terminating node only: it sends its ready block first (PROTOCOL.md §6 "Linking"); otherwise the owner does. */
export const FLAG_READY_FIRST = 0x20
const KNOWN_FLAGS = FLAG_X | FLAG_Y | FLAG_TERMINATING | FLAG_ENTRY | FLAG_SUCCESS | FLAG_READY_FIRST

export interface SetupPackage {
  /** Bit set of FLAG_*. Exactly one of X and Y; terminating only with X; entry and ready-first only with terminating. */
  flags: number
  /**
   * Round 1: ring neighbours, previous and next. Round 2, X-node: its final
   * path neighbours as an unordered pair, written in canonical order (the
   * smaller PeerId first; the terminating node has only the first), so that
   * nothing in the package says which of them is toward the owner.
   * null = none (all zero).
   */
  prev: PeerRef | null
  next: PeerRef | null
  /** Round 1: link ID the previous member presents / this member presents to the next. Round 2: the link ID of the edge to `prev` / to `next`. All zero = none. */
  linkIn: Uint8Array
  linkOut: Uint8Array
  /** Ed25519 public construction key of this path build. */
  constructionKey: Uint8Array
  /** Exactly DUMMY_OPS operations. */
  dummyOps: DummyOp[]
  /** Seed of the keystream that replaces this member's own slot. */
  replacementSeed: Uint8Array
  /** Key of the permutation this member applies to every slot before forwarding. */
  peelKey: Uint8Array
  /** X-nodes in round 2: seed of the tunnel keys and their count N; zero otherwise. */
  keySeed: Uint8Array
  keyCount: number
  /** BLAKE2b-256 of the other slots of the array as it arrives, in canonical order. */
  expectedHash: Uint8Array
  /** Entry terminating node in round 2: the AP address and the signed AP record to publish; zero / empty otherwise. */
  apAddress: Uint8Array
  apRecord: Uint8Array
}

function fixed (value: Uint8Array, length: number, what: string): Uint8Array {
  if (value.byteLength !== length) throw new RangeError(`setup package: ${what} must be ${length} bytes`)
  return value
}

/** Encodes to exactly SLOT_PLAIN bytes. Throws RangeError on values that do not fit. */
export function encodeSetupPackage (pkg: SetupPackage): Buffer {
  checkFlags(pkg.flags, (m) => new RangeError(`setup package: ${m}`))
  if (pkg.dummyOps.length !== DUMMY_OPS) throw new RangeError(`setup package: exactly ${DUMMY_OPS} dummy operations`)
  if (!Number.isInteger(pkg.keyCount) || pkg.keyCount < 0 || pkg.keyCount > 0xffff) throw new RangeError('setup package: key count must be a u16')
  if (pkg.apRecord.byteLength > AP_RECORD_MAX) throw new RangeError(`setup package: AP record over ${AP_RECORD_MAX} bytes`)
  const w = new ByteWriter(SLOT_PLAIN)
  w.u8(SETUP_VERSION).u8(pkg.flags)
  writePeerRef(w, pkg.prev)
  writePeerRef(w, pkg.next)
  w.bytes(fixed(pkg.linkIn, LINK_ID_BYTES, 'linkIn'))
  w.bytes(fixed(pkg.linkOut, LINK_ID_BYTES, 'linkOut'))
  w.bytes(fixed(pkg.constructionKey, CONSTRUCTION_KEY_BYTES, 'construction key'))
  for (const op of pkg.dummyOps) {
    if (op.kind === 'none') w.u8(DUMMY_OP_NONE).bytes(new Uint8Array(32))
    else if (op.kind === 'insert') w.u8(DUMMY_OP_INSERT).bytes(fixed(op.seed, SEED_BYTES, 'insert seed'))
    else w.u8(DUMMY_OP_DELETE).bytes(fixed(op.slotHash, HASH_BYTES, 'slot hash'))
  }
  w.bytes(fixed(pkg.replacementSeed, SEED_BYTES, 'replacement seed'))
  w.bytes(fixed(pkg.peelKey, SEED_BYTES, 'peel key'))
  w.bytes(fixed(pkg.keySeed, SEED_BYTES, 'key seed'))
  w.u16(pkg.keyCount)
  w.bytes(fixed(pkg.expectedHash, HASH_BYTES, 'expected hash'))
  w.bytes(fixed(pkg.apAddress, AP_ADDRESS_BYTES, 'AP address'))
  w.u16(pkg.apRecord.byteLength).bytes(pkg.apRecord).bytes(new Uint8Array(AP_RECORD_MAX - pkg.apRecord.byteLength))
  const used = w.length
  if (used > SLOT_PLAIN) throw new Error('setup package layout exceeds SLOT_PLAIN')
  w.bytes(new Uint8Array(SLOT_PLAIN - used))
  return w.finish()
}

function checkFlags (flags: number, fail: (message: string) => Error): void {
  if ((flags & ~KNOWN_FLAGS) !== 0) throw fail('unknown flags')
  const x = (flags & FLAG_X) !== 0
  const y = (flags & FLAG_Y) !== 0
  if (x === y) throw fail('exactly one of X and Y must be set')
  if ((flags & FLAG_TERMINATING) !== 0 && !x) throw fail('terminating without X')
  if ((flags & FLAG_ENTRY) !== 0 && (flags & FLAG_TERMINATING) === 0) throw fail('entry without terminating')
  if ((flags & FLAG_READY_FIRST) !== 0 && (flags & FLAG_TERMINATING) === 0) throw fail('ready-first without terminating')
}

/** Strict decoder: exactly SLOT_PLAIN bytes, known version and flags, bounded lengths, all padding zero. */
export function decodeSetupPackage (bytes: Uint8Array): SetupPackage {
  if (bytes.byteLength !== SLOT_PLAIN) throw new DecodeError(`setup package: must be ${SLOT_PLAIN} bytes, got ${bytes.byteLength}`)
  const r = new ByteReader(bytes, 'setup package')
  const version = r.u8()
  if (version !== SETUP_VERSION) throw new DecodeError(`setup package: unknown version ${version}`)
  const flags = r.u8()
  checkFlags(flags, (m) => new DecodeError(`setup package: ${m}`))
  const prev = readPeerRef(r, 'previous member')
  const next = readPeerRef(r, 'next member')
  const linkIn = r.bytes(LINK_ID_BYTES)
  const linkOut = r.bytes(LINK_ID_BYTES)
  const constructionKey = r.bytes(CONSTRUCTION_KEY_BYTES)
  const dummyOps: DummyOp[] = []
  for (let i = 0; i < DUMMY_OPS; i++) {
    const code = r.u8()
    const data = r.bytes(32)
    if (code === DUMMY_OP_NONE) {
      if (!isAllZero(data)) throw new DecodeError('setup package: data in a "none" dummy operation')
      dummyOps.push({ kind: 'none' })
    } else if (code === DUMMY_OP_INSERT) {
      dummyOps.push({ kind: 'insert', seed: data })
    } else if (code === DUMMY_OP_DELETE) {
      dummyOps.push({ kind: 'delete', slotHash: data })
    } else {
      throw new DecodeError(`setup package: unknown dummy operation ${code}`)
    }
  }
  const replacementSeed = r.bytes(SEED_BYTES)
  const peelKey = r.bytes(SEED_BYTES)
  const keySeed = r.bytes(SEED_BYTES)
  const keyCount = r.u16()
  const expectedHash = r.bytes(HASH_BYTES)
  const apAddress = r.bytes(AP_ADDRESS_BYTES)
  const apRecordLength = r.u16()
  if (apRecordLength > AP_RECORD_MAX) throw new DecodeError(`setup package: AP record of ${apRecordLength} bytes exceeds ${AP_RECORD_MAX}`)
  const apRecord = r.bytes(apRecordLength)
  if (!isAllZero(r.bytes(AP_RECORD_MAX - apRecordLength))) throw new DecodeError('setup package: non-zero bytes after the AP record')
  if (!isAllZero(r.bytes(r.remaining))) throw new DecodeError('setup package: non-zero padding')
  r.end()
  return { flags, prev, next, linkIn, linkOut, constructionKey, dummyOps, replacementSeed, peelKey, keySeed, keyCount, expectedHash, apAddress, apRecord }
}
