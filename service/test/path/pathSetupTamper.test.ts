import assert from 'node:assert/strict'
import fc from 'fast-check'
import { randomBytes, randomInt } from '../../src/crypto/index.js'
import {
  ARRAY_BYTES, checkReturnedArray, joinSlots, processRound1, processRound2, SLOT_LEN, sortSlots, splitArray,
  type PathMemberState, type Round1State, type SetupArrival
} from '../../src/path/index.js'
import { buildTestRing, identityOf, makeNode, runBothRounds, runRound, type TestRing } from './pathTestKit.js'

type Tamper = (array: Buffer[], message: SetupArrival) => SetupArrival

const withArray = (message: SetupArrival, slots: Buffer[]): SetupArrival => ({ ...message, arrayBytes: joinSlots(slots) })

const tampers: Record<string, Tamper> = {
  'alter one byte of a slot': (slots, m) => {
    const i = randomInt(slots.length)
    const s = Buffer.from(slots[i]!); s[randomInt(SLOT_LEN)] ^= 1 + randomInt(255)
    const out = slots.slice(); out[i] = s
    return withArray(m, sortSlots(out))
  },
  'drop a slot': (slots, m) => {
    const gone = randomInt(slots.length)
    return withArray(m, slots.filter((_, i) => i !== gone))
  },
  'inject a slot in place of another': (slots, m) => {
    const out = slots.slice(); out[randomInt(out.length)] = randomBytes(SLOT_LEN)
    return withArray(m, sortSlots(out))
  },
  'inject an extra slot': (slots, m) => withArray(m, sortSlots([...slots, randomBytes(SLOT_LEN)])),
  'reorder two slots': (slots, m) => {
    const out = slots.slice(); const i = randomInt(out.length - 1)
    ;[out[i], out[i + 1]] = [out[i + 1]!, out[i]!]
    return withArray(m, out)
  },
  'wrong sender PeerId': (_slots, m) => ({ ...m, senderPeerId: randomBytes(38) }),
  'wrong link ID': (_slots, m) => ({ ...m, linkId: randomBytes(32) })
}

describe('path setup: tampering is detected by the next member or by the owner', function () {
  this.timeout(120000)
  let ring: TestRing
  before(() => { ring = buildTestRing({ x: 3, extraY: 2, kind: 'entry' }) })

  for (const [name, tamper] of Object.entries(tampers)) {
    it(`${name}: the receiving member drops, in both rounds`, () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: ring.byIndex.length - 1 }), fc.constantFrom<1 | 2>(1, 2), (target, round) => {
        const states: Round1State[] = []
        const pathStates: Array<PathMemberState | null> = []
        if (round === 2) assert.equal(runRound(ring, 1, states, pathStates).dropped, null)
        const run = runRound(ring, round, states, pathStates, (i, m) => i === target ? tamper(splitArray(m.arrayBytes), m) : m)
        assert.equal(run.dropped?.index, target, `round ${round}: expected a drop at member ${target}`)
      }), { numRuns: 12 })
    })
  }

  it('the owner rejects a returned array that was altered, injected, from the wrong peer or over the wrong link', () => {
    const { r1, r2 } = runBothRounds(ring)
    for (const [run, planRound] of [[r1, ring.plan.round1], [r2, ring.plan.round2]] as const) {
      const good = run.returned!
      assert.ok(checkReturnedArray(planRound, good))
      for (const [name, tamper] of Object.entries(tampers)) {
        assert.equal(checkReturnedArray(planRound, tamper(splitArray(good.arrayBytes), good)), false, name)
      }
      assert.equal(checkReturnedArray(planRound, { ...good, senderPeerId: Buffer.from(ring.owner.peerId) }), false)
      assert.equal(checkReturnedArray(planRound, { ...good, arrayBytes: good.arrayBytes.subarray(1) }), false)
    }
  })

  it('a round-1 array replayed in round 2 is dropped', () => {
    const { r1, round1States } = runBothRounds(ring)
    for (let i = 0; i < ring.byIndex.length; i++) {
      const m = r1.received[i]!
      const d = processRound2({ arrayBytes: m.arrayBytes, linkIdFromSender: m.linkId, senderPeerId: m.senderPeerId }, identityOf(ring.byIndex[i]!), round1States[i]!)
      assert.equal(d.decision, 'drop')
    }
  })

  it('a slot opens only for its recipient over its own link, even for a node holding the recipient\'s pbk key pair', () => {
    const arrivals = ring.plan.round1.arrivals
    for (let k = 0; k < ring.byIndex.length; k++) {
      const victim = ring.byIndex[k]!
      // A colluding node with the same pbk key pair but another PeerId, reached over its own link IDs.
      const colluder = { ...identityOf(makeNode()), pbkKeyPairs: [victim.keyPair] }
      for (let j = 0; j < arrivals.length; j++) {
        if (j === k) continue
        const m = arrivals[j]!
        const d = processRound1({ arrayBytes: m.arrayBytes, linkIdFromSender: m.linkId, senderPeerId: m.senderPeerId }, colluder)
        assert.equal(d.decision, 'drop')
      }
      // Same array as the victim receives, but arriving over another (random) link ID.
      const m = arrivals[k]!
      const d = processRound1({ arrayBytes: m.arrayBytes, linkIdFromSender: randomBytes(32), senderPeerId: m.senderPeerId }, colluder)
      assert.equal(d.decision, 'drop')
    }
  })
})

describe('path setup: hostile bytes never crash a member and never cause unbounded work', function () {
  this.timeout(120000)
  let ring: TestRing
  let round1States: Round1State[]
  before(() => {
    ring = buildTestRing({ x: 2, extraY: 0 })
    round1States = runBothRounds(ring).round1States
  })

  it('random input of any length: drop only, oversize or short input refused on its length before any trial decryption', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 3 * ARRAY_BYTES }), fc.integer({ min: 0, max: 64 }), (length, linkLength) => {
      if (length === ARRAY_BYTES) return
      const input = { arrayBytes: new Uint8Array(length), linkIdFromSender: randomBytes(linkLength), senderPeerId: randomBytes(38) }
      const node = ring.byIndex[0]!
      const d1 = processRound1(input, identityOf(node))
      assert.equal(d1.decision, 'drop')
      if (d1.decision === 'drop' && linkLength === 32) assert.match(d1.reason, /must be \d+ bytes/)
      const d2 = processRound2({ ...input, linkIdFromSender: round1States[0]!.ringLinkIn, senderPeerId: round1States[0]!.ringPrevPeerId }, identityOf(node), round1States[0]!)
      assert.equal(d2.decision, 'drop')
      if (d2.decision === 'drop') assert.match(d2.reason, /must be \d+ bytes/)
    }), { numRuns: 60 })
  })

  it('mutated valid arrays: always a decision, never an exception, and the unmodified array still forwards', () => {
    const m = ring.plan.round1.arrivals[1]!
    const node = ring.byIndex[1]!
    assert.equal(processRound1({ arrayBytes: m.arrayBytes, linkIdFromSender: m.linkId, senderPeerId: m.senderPeerId }, identityOf(node)).decision, 'forward')
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(ARRAY_BYTES - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
      const bytes = Buffer.from(m.arrayBytes)
      for (const [i, v] of edits) bytes[i] ^= v
      const d = processRound1({ arrayBytes: bytes, linkIdFromSender: m.linkId, senderPeerId: m.senderPeerId }, identityOf(node))
      assert.equal(d.decision, 'drop')
    }), { numRuns: 60 })
  })

  it('mutated valid round-2 arrays: drop, never an exception', () => {
    const m = ring.plan.round2.arrivals[1]!
    const node = ring.byIndex[1]!
    const input = (arrayBytes: Buffer): { arrayBytes: Buffer, linkIdFromSender: Buffer, senderPeerId: Buffer } => ({ arrayBytes, linkIdFromSender: m.linkId, senderPeerId: m.senderPeerId })
    assert.equal(processRound2(input(m.arrayBytes), identityOf(node), round1States[1]!).decision, 'forward')
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(ARRAY_BYTES - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
      const bytes = Buffer.from(m.arrayBytes)
      for (const [i, v] of edits) bytes[i] ^= v
      assert.equal(processRound2(input(bytes), identityOf(node), round1States[1]!).decision, 'drop')
    }), { numRuns: 60 })
  })

  it('random canonical arrays of the right size: drop', () => {
    fc.assert(fc.property(fc.constant(null), () => {
      const slots = sortSlots(Array.from({ length: ARRAY_BYTES / SLOT_LEN }, () => randomBytes(SLOT_LEN)))
      const d = processRound1({ arrayBytes: joinSlots(slots), linkIdFromSender: randomBytes(32), senderPeerId: randomBytes(38) }, identityOf(ring.byIndex[0]!))
      assert.equal(d.decision, 'drop')
    }), { numRuns: 10 })
  })
})
