import assert from 'node:assert/strict'
import type { Stream } from '@libp2p/interface'
import { randomBytes } from '../../../src/crypto/index.js'
import { PHANTOM_LINK_PROTOCOL, PHANTOM_SETUP_PROTOCOL } from '../../../src/link/phantomProtocols.js'
import { MAX_PARKED_PER_PEER } from '../../../src/path/service/linkRendezvous.js'
import { encodeLinkHello } from '../../../src/path/network/linkBlocks.js'
import { SETUP_MESSAGE_BYTES } from '../../../src/path/setup/constants.js'
import { waitFor } from '../../harness/waitFor.js'
import { PathLab, type LabNode } from './pathLab.js'

const NODES = 8

async function openRaw (from: LabNode, to: LabNode, protocol: string): Promise<Stream> {
  return await from.host.dialProtocol(to.host.getMultiaddrs()[0]!, protocol)
}

/** Sends unless the member already reset the stream (it may refuse at once). */
function trySend (stream: Stream, bytes: Uint8Array): void {
  if (stream.status === 'open') {
    try { stream.send(bytes) } catch { /* reset meanwhile */ }
  }
}

async function waitReset (stream: Stream): Promise<void> {
  await waitFor(`stream reset (status ${stream.status})`, () => stream.status === 'reset' || stream.status === 'aborted' || stream.status === 'closed', 10_000, 10)
}

describe(`path setup limits: bounded reads, silent drops, overload (${NODES} hosts)`, function () {
  this.timeout(120_000)
  let lab: PathLab | undefined

  before(async function () {
    // node 1 takes part in one setup at a time; the others use the default limits
    lab = await PathLab.start(NODES, { settings: { x: 2, extraY: 0, roundTimeoutMs: 1500, setupStateTtlMs: 3000 }, settingsFor: (i) => (i === 1 ? { maxConcurrentSetups: 1 } : {}) })
  })

  after(async function () {
    await lab?.stop()
  })

  it('a member resets setup streams that are oversized, truncated, random or silent, and holds no state afterwards', async () => {
    const member = lab!.nodes[3]!
    const attacker = lab!.nodes[7]!
    const oversized = await openRaw(attacker, member, PHANTOM_SETUP_PROTOCOL)
    trySend(oversized, randomBytes(2 * SETUP_MESSAGE_BYTES + 1000))
    const random = await openRaw(attacker, member, PHANTOM_SETUP_PROTOCOL)
    trySend(random, randomBytes(SETUP_MESSAGE_BYTES))
    const truncated = await openRaw(attacker, member, PHANTOM_SETUP_PROTOCOL)
    trySend(truncated, randomBytes(1000))
    const silent = await openRaw(attacker, member, PHANTOM_SETUP_PROTOCOL)
    const ended = await openRaw(attacker, member, PHANTOM_SETUP_PROTOCOL)
    trySend(ended, randomBytes(500))
    await ended.close().catch(() => {})
    for (const s of [oversized, random, truncated, silent]) await waitReset(s)
    await waitFor('member holds no setup state', () => {
      const load = member.service.memberLoad()
      return load.setups === 0 && load.waiting === 0 && load.unlinked === 0 && load.relayed === 0
    }, 10_000, 20)
  })

  it('a member resets link streams with a malformed hello, an unknown link ID or too many bytes', async () => {
    const member = lab!.nodes[3]!
    const attacker = lab!.nodes[7]!
    const garbage = await openRaw(attacker, member, PHANTOM_LINK_PROTOCOL)
    trySend(garbage, randomBytes(64))
    const unknown = await openRaw(attacker, member, PHANTOM_LINK_PROTOCOL)
    trySend(unknown, encodeLinkHello(randomBytes(32)))
    const flood = await openRaw(attacker, member, PHANTOM_LINK_PROTOCOL)
    trySend(flood, randomBytes(100_000))
    for (const s of [garbage, unknown, flood]) await waitReset(s)
    assert.equal(member.service.memberLoad().relayed, 0)
  })

  it('a member that waits for no round 2 as an X-node parks no early link: a made-up one is refused at once', async () => {
    const member = lab!.nodes[4]!
    const attacker = lab!.nodes[6]!
    assert.equal(member.service.memberLoad().parkingRoom, 0)
    const streams: Stream[] = []
    for (let i = 0; i < 3; i++) {
      const s = await openRaw(attacker, member, PHANTOM_LINK_PROTOCOL)
      trySend(s, encodeLinkHello(randomBytes(32)))
      streams.push(s)
    }
    // refused on arrival, not after a round timeout of parking
    let mostParked = 0
    await waitFor('every stream reset', () => {
      mostParked = Math.max(mostParked, member.service.memberLoad().parkedLinks)
      return streams.every((s) => s.status !== 'open')
    }, 10_000, 5)
    assert.equal(mostParked, 0)
  })

  describe('while setups that make the member an X-node wait for their round 2', () => {
    const member = (): LabNode => lab!.nodes[4]!
    const owners = (): LabNode[] => [lab!.nodes[0]!, lab!.nodes[2]!, lab!.nodes[5]!]
    let release: () => void = () => {}
    let builds: Array<Promise<unknown>> = []

    /**
     * Owners build through the member until it stalls `count` setups in which
     * it is an X-node, right after its round 1 (it passes those where it is a
     * Y-node). It holds them until `release`.
     */
    async function holdSetups (count: number): Promise<void> {
      const held = new Promise<void>((resolve) => { release = resolve })
      let stalled = 0
      let lastRole: 'X' | 'Y' | null = null
      // called right before the same setup's forward, with no await between them
      member().hooks.onMemberState = (event) => { if (event.round === 1) lastRole = event.role }
      member().hooks.interceptForward = async (ctx) => {
        if (ctx.round === 1 && lastRole === 'X' && stalled < count) {
          stalled++
          await held
        }
        return { action: 'send', linkId: ctx.linkOut, arrayBytes: ctx.outArray }
      }
      lab!.preferred = member().peerId
      builds = owners().map(async (owner) => {
        while (stalled < count) await owner.service.buildPath('exit', { maxAttempts: 1 }).catch(() => {})
      })
      await waitFor(`${count} setups stalled at the member`, () => stalled === count, 60_000, 5)
      // builds still under way when the last one stalled went through the member and may keep it waiting for
      // their round 2 a little longer: once every build has ended, only the stalled setups are left
      await Promise.all(builds)
      await waitFor(`only the ${count} stalled setups waiting at the member`, () => member().service.memberLoad().xAwaitingRound2 === count, 20_000, 5)
    }

    afterEach(async () => {
      release()
      await Promise.all(builds)
      delete member().hooks.interceptForward
      delete member().hooks.onMemberState
      lab!.preferred = null
      await waitFor('the member to hold no setup', () => member().service.memberLoad().setups === 0, 20_000, 20)
    })

    it('it parks two early links per such setup, and refuses the next at once', async () => {
      await holdSetups(1)
      assert.equal(member().service.memberLoad().parkingRoom, 2)
      const attacker = lab!.nodes[6]!
      const streams: Stream[] = []
      const closedInOrder: number[] = []
      const open = async (i: number): Promise<Stream> => {
        const s = await openRaw(attacker, member(), PHANTOM_LINK_PROTOCOL)
        s.addEventListener('close', () => { closedInOrder.push(i) }, { once: true })
        trySend(s, encodeLinkHello(randomBytes(32)))
        streams.push(s)
        return s
      }
      // one at a time, so that the member sees them in this order
      for (let i = 0; i < 2; i++) {
        await open(i)
        await waitFor(`early link ${i + 1} parked`, () => member().service.memberLoad().parkedLinks === i + 1, 10_000, 5)
      }
      await open(2)
      for (const s of streams) await waitReset(s)
      // the third was refused on arrival, before either parked one timed out (the member resets them over one
      // connection, so the attacker sees the resets in the order they were made)
      assert.equal(closedInOrder[0], 2, `closed in the order ${closedInOrder.join(', ')}`)
      assert.equal(member().service.memberLoad().parkedLinks, 0)
    })

    it('it parks at most MAX_PARKED_PER_PEER early links from one peer, and drops each after one round timeout', async () => {
      await holdSetups(3)
      assert.equal(member().service.memberLoad().parkingRoom, 6)
      const attacker = lab!.nodes[6]!
      const streams: Stream[] = []
      for (let i = 0; i < MAX_PARKED_PER_PEER + 3; i++) {
        const s = await openRaw(attacker, member(), PHANTOM_LINK_PROTOCOL)
        trySend(s, encodeLinkHello(randomBytes(32)))
        streams.push(s)
      }
      // the excess is refused at once; the rest waits for a claim that never comes
      await waitFor('four parked, the excess refused', () => member().service.memberLoad().parkedLinks === MAX_PARKED_PER_PEER && streams.filter((s) => s.status !== 'open').length === 3, 10_000, 5)
      for (const s of streams) await waitReset(s)
      assert.equal(member().service.memberLoad().parkedLinks, 0)
    })
  })

  it('an overloaded member drops a new setup silently (the build fails); paths build through it again once it is free', async () => {
    const owner = lab!.nodes[0]!
    const busy = lab!.nodes[1]!
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    let holding = false
    // the busy node stalls in the middle of one setup, so its only setup slot is taken
    busy.hooks.interceptForward = async (ctx) => {
      if (!holding) { holding = true; await held }
      return { action: 'send', linkId: ctx.linkOut, arrayBytes: ctx.outArray }
    }
    try {
      await waitFor('every node idle', () => lab!.nodes.every((n) => n.service.memberLoad().waiting === 0 && n.service.memberLoad().setups === 0), 10_000, 20)
      lab!.preferred = busy.peerId
      const stalled = lab!.nodes[2]!.service.buildPath('exit', { maxAttempts: 1 })
      await waitFor('busy node holds a setup', () => holding && busy.service.memberLoad().setups === 1, 10_000, 10)
      for (const n of lab!.nodes) n.logLines.length = 0
      owner.service.forgetSuspects()
      const result = await owner.service.buildPath('exit', { maxAttempts: 1 })
      const first = result.attempts[0]!
      assert.ok(first.ring.some((m) => m.peerId === busy.peerId))
      assert.equal(first.ok, false)
      assert.ok(busy.logLines.some((l) => l.includes('setup dropped: overloaded')), 'the busy node dropped the setup for overload')
      release()
      await stalled
    } finally {
      release()
      delete busy.hooks.interceptForward
      lab!.preferred = null
    }
    owner.service.forgetSuspects()
    await waitFor('every node free again', () => lab!.nodes.every((n) => n.service.memberLoad().setups === 0), 10_000, 20)
    lab!.preferred = busy.peerId
    const again = await owner.service.buildPath('entry', { maxAttempts: 1 })
    lab!.preferred = null
    assert.ok(again.ok, again.attempts[0]!.reason)
  })
})
