/**
 * Path setup crypto figures: building both rounds' arrays for rings of
 * several sizes, one member step (round 1 and round 2), the owner's check and
 * the slot permutation. Prints figures; not a timed test.
 * Run: npx tsx bench/pathSetupCrypto.ts   (or node dist/bench/pathSetupCrypto.js)
 */
import { performance } from 'node:perf_hooks'
import { randomBytes, x25519Generate } from '../src/crypto/index.js'
import {
  ARRAY_BYTES, ARRAY_SLOTS, buildPathSetup, checkReturnedArray, joinSlots, orderRing, sortSlots, peelKeys, peelSlot, processRound1, processRound2,
  SLOT_LEN, type PathSetupPlan, type RingPeer, type Round1State
} from '../src/path/index.js'

function measure (label: string, iterations: number, fn: () => void): number {
  fn()
  const start = performance.now()
  for (let i = 0; i < iterations; i++) fn()
  const ms = (performance.now() - start) / iterations
  console.log(`${label.padEnd(58)} ${ms.toFixed(3).padStart(9)} ms`)
  return ms
}

function makeRing (x: number, extraY: number): { plan: PathSetupPlan, keys: Map<RingPeer, ReturnType<typeof x25519Generate>>, build: () => PathSetupPlan } {
  const keys = new Map<RingPeer, ReturnType<typeof x25519Generate>>()
  const make = (): RingPeer => {
    const kp = x25519Generate()
    const peer = { peerId: randomBytes(38), multiaddrs: [randomBytes(20)], pbk: kp.publicKey }
    keys.set(peer, kp)
    return peer
  }
  const xs = Array.from({ length: x }, make)
  const ys = Array.from({ length: 2 * x - 1 + extraY }, make)
  const owner = { peerId: randomBytes(38), multiaddrs: [randomBytes(20)] }
  const build = (): PathSetupPlan => buildPathSetup({ owner, ring: orderRing(xs, ys), kind: 'exit', keyCount: 32 })
  return { plan: build(), keys, build }
}

console.log(`slot ${SLOT_LEN} B, array ${ARRAY_SLOTS} slots = ${ARRAY_BYTES} B`)
const keys = peelKeys(randomBytes(32))
const slot = randomBytes(SLOT_LEN)
measure('slot peel permutation (one slot)', 2000, () => { peelSlot(slot, keys) })

for (const [x, extraY] of [[2, 0], [3, 1], [4, 2], [6, 2]] as const) {
  const ring = makeRing(x, extraY)
  const members = ring.plan.ring.members.length
  measure(`owner: build both rounds, x=${x}, ring of ${members}`, 5, () => { ring.build() })
  const plan = ring.plan
  const i = Math.floor(members / 2)
  const member = plan.ring.members[i]!.peer
  const me = { pbkKeyPairs: [ring.keys.get(member)!], peerId: member.peerId }
  const a1 = plan.round1.arrivals[i]!
  let state: Round1State | null = null
  measure(`member: round-1 step, ring of ${members}`, 50, () => {
    const d = processRound1({ arrayBytes: a1.arrayBytes, linkIdFromSender: a1.linkId, senderPeerId: a1.senderPeerId }, me)
    if (d.decision !== 'forward') throw new Error(d.reason)
    state = d.state
  })
  const a2 = plan.round2.arrivals[i]!
  measure(`member: round-2 step, ring of ${members}`, 50, () => {
    const d = processRound2({ arrayBytes: a2.arrayBytes, linkIdFromSender: a2.linkId, senderPeerId: a2.senderPeerId }, me, state!)
    if (d.decision !== 'forward') throw new Error(d.reason)
  })
  const junk = joinSlots(sortSlots(Array.from({ length: ARRAY_SLOTS }, () => randomBytes(SLOT_LEN))))
  measure('member: drop of a random canonical array (32 trials)', 50, () => { processRound1({ arrayBytes: junk, linkIdFromSender: a1.linkId, senderPeerId: a1.senderPeerId }, me) })
  measure('owner: check of the returned array', 200, () => { checkReturnedArray(plan.round1, plan.round1.expectedReturn) })
}
