import assert from 'node:assert/strict'
import type { Stream } from '@libp2p/interface'
import { randomBytes, randomInt } from '../../../src/crypto/index.js'
import { PHANTOM_SETUP_PROTOCOL } from '../../../src/link/phantomProtocols.js'
import { dialTargets } from '../../../src/path/network/peerAddressing.js'
import { ARRAY_SLOTS, SLOT_LEN } from '../../../src/path/setup/constants.js'
import { joinSlots, sortSlots, splitArray } from '../../../src/path/setup/setupArray.js'
import { encodeSetupMessage } from '../../../src/path/setup/setupMessage.js'
import type { ForwardContext, ForwardInterception } from '../../../src/path/service/index.js'
import { PathLab, type LabNode } from './pathLab.js'

const NODES = 13

interface Memo { round1?: ForwardContext, streams: Stream[] }

interface TamperCase {
  name: string
  round: 1 | 2
  act: (ctx: ForwardContext, memo: Memo, lab: PathLab, self: LabNode) => Promise<ForwardInterception> | ForwardInterception
}

function send (linkId: Buffer, arrayBytes: Buffer): ForwardInterception {
  return { action: 'send', linkId, arrayBytes }
}

function alterSlot (ctx: ForwardContext): ForwardInterception {
  const bytes = Buffer.from(ctx.outArray)
  const at = randomInt(ARRAY_SLOTS) * SLOT_LEN + randomInt(SLOT_LEN)
  bytes[at] = (bytes[at] as number) ^ (1 << randomInt(8))
  return send(ctx.linkOut, bytes)
}

const cases: TamperCase[] = [
  { name: 'alters one bit of a slot in round 1', round: 1, act: alterSlot },
  { name: 'alters one bit of a slot in round 2', round: 2, act: alterSlot },
  {
    name: 'drops a slot and injects a random one (canonical order kept)',
    round: 1,
    act: (ctx) => {
      const slots = splitArray(ctx.outArray)
      slots[randomInt(ARRAY_SLOTS)] = randomBytes(SLOT_LEN)
      return send(ctx.linkOut, joinSlots(sortSlots(slots)))
    }
  },
  {
    name: 'injects a copy of another slot in round 2',
    round: 2,
    act: (ctx) => {
      const slots = splitArray(ctx.outArray)
      slots[1] = Buffer.from(slots[0] as Buffer)
      return send(ctx.linkOut, joinSlots(slots))
    }
  },
  {
    name: 'reorders two slots',
    round: 1,
    act: (ctx) => {
      const slots = splitArray(ctx.outArray)
      const i = randomInt(ARRAY_SLOTS - 1)
      ;[slots[i], slots[i + 1]] = [slots[i + 1] as Buffer, slots[i] as Buffer]
      return send(ctx.linkOut, joinSlots(slots))
    }
  },
  {
    name: 'replays its round-1 array in round 2',
    round: 2,
    act: (ctx, memo) => send(ctx.linkOut, memo.round1!.outArray)
  },
  { name: 'presents a wrong link ID', round: 1, act: (ctx) => send(randomBytes(32), ctx.outArray) },
  { name: 'drops the round-2 message', round: 2, act: () => ({ action: 'drop' }) },
  {
    name: 'has another node send its correct round-1 message (wrong peer)',
    round: 1,
    act: async (ctx, memo, lab, self) => {
      const next = dialTargets(ctx.next)
      const accomplice = lab.nodes.find((n) => n !== self && n.index !== 0 && !n.host.peerId.equals(next.peerId))!
      const stream = await accomplice.host.dialProtocol(next.addrs, PHANTOM_SETUP_PROTOCOL)
      memo.streams.push(stream)
      stream.send(encodeSetupMessage(ctx.linkOut, ctx.outArray))
      return { action: 'handled' }
    }
  }
]

describe(`path setup over libp2p: a misbehaving member (${NODES} hosts)`, function () {
  this.timeout(120_000)
  let lab: PathLab | undefined

  before(async function () {
    // small rings (x = 2, 5 members) so a rebuild can always avoid the whole failed ring
    lab = await PathLab.start(NODES, { settings: { x: 2, extraY: 0, roundTimeoutMs: 2500, setupStateTtlMs: 5000 } })
  })

  after(async function () {
    await lab?.stop()
  })

  for (const c of cases) {
    it(`${c.name}: the build fails in round ${c.round}, is detected downstream, and the owner rebuilds without it`, async () => {
      const owner = lab!.nodes[0]!
      const bad = lab!.nodes[1]!
      const memo: Memo = { streams: [] }
      owner.service.forgetSuspects()
      lab!.preferred = bad.peerId
      for (const n of lab!.nodes) n.logLines.length = 0
      bad.hooks.interceptForward = async (ctx) => {
        if (ctx.round === 1) memo.round1 = ctx
        if (ctx.round !== c.round) return send(ctx.linkOut, ctx.outArray)
        return await c.act(ctx, memo, lab!, bad)
      }
      try {
        const result = await owner.service.buildPath('exit', { maxAttempts: 3 })
        const first = result.attempts[0]!
        const ringIds = first.ring.map((m) => m.peerId)
        assert.ok(ringIds.includes(bad.peerId), 'the misbehaving node was on the first ring')
        assert.equal(first.ok, false, 'the tampered build failed')
        assert.equal(first.stage, `round${c.round}`, first.reason)
        // detected where it should be: by the ring successor (silent drop) or by the owner's exact check
        const at = ringIds.indexOf(bad.peerId)
        const successor = at === ringIds.length - 1 ? owner : lab!.byPeerId(ringIds[at + 1]!)
        if (c.name.startsWith('drops the round-2')) {
          // the owner times out, or at once when the dropping member is the last one and closes its stream to the owner
          assert.match(first.reason ?? '', /no array came back|within|ended before a complete message/)
        } else if (successor === owner) {
          assert.match(first.reason ?? '', /differs from the prediction|no array came back/)
        } else {
          assert.ok(successor.logLines.some((l) => l.includes(`setup round ${c.round} dropped`)), `successor dropped the array: ${successor.logLines.filter((l) => l.includes('dropped')).join('\n')}`)
          // the drop is silent: nothing travels to the owner, which only times out
          assert.match(first.reason ?? '', /no array came back|within/)
        }
        assert.ok(result.ok, `rebuild failed: ${result.attempts.map((a) => a.reason).join('; ')}`)
        const last = result.attempts[result.attempts.length - 1]!
        assert.ok(!last.ring.some((m) => m.peerId === bad.peerId), 'the rebuilt path avoids the misbehaving node')
        for (const a of result.attempts.slice(1)) assert.ok(!a.ring.some((m) => ringIds.includes(m.peerId)), 'rebuilds use other nodes')
      } finally {
        delete bad.hooks.interceptForward
        lab!.preferred = null
        for (const s of memo.streams) s.abort(new Error('test done'))
        for (const p of owner.service.list()) owner.service.closePath(p.id)
      }
    })
  }
})
