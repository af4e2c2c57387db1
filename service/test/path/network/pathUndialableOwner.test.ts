import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { BuildAttempt, WireEvent } from '../../../src/path/service/index.js'
import { peerIdBytes } from '../../../src/path/network/peerAddressing.js'
import { opensEdge } from '../../../src/path/service/pathEdge.js'
import { UNREACHABLE_HINT_AFTER } from '../../../src/path/service/pathService.js'
import { waitFor } from '../../harness/waitFor.js'
import { PathLab } from './pathLab.js'

const NODES = 12
const MAX_BUILDS = 16

/**
 * An owner nobody can dial (it listens nowhere, as a node behind NAT
 * effectively does): it names itself without addresses and connects first to
 * the last ring member and to X1, which reach it over those connections
 * (PROTOCOL.md §6, round 1).
 */
describe(`path setup by an owner that cannot be dialled: ${NODES} hosts on loopback`, function () {
  this.timeout(180_000)
  let lab: PathLab | undefined
  const builds: Array<{ kind: 'exit' | 'entry', reversed: boolean, x1Opens: boolean, attempt: BuildAttempt, ownerWire: WireEvent[], inbound: number }> = []

  before(async function () {
    // the owner's PeerId in the middle of the others', so that X1, a random member, has the smaller one in about half the builds
    const keys = await Promise.all(Array.from({ length: NODES }, async () => await generateKeyPair('Ed25519')))
    const rank = (k: PrivateKey): Buffer => peerIdBytes(peerIdFromPrivateKey(k))
    keys.sort((a, b) => Buffer.compare(rank(a), rank(b)))
    const middle = keys.splice(NODES >> 1, 1)[0]!
    const ordered = [middle, ...keys]
    lab = await PathLab.start(NODES, { record: true, undialable: (i) => i === 0, privateKeyFor: (i) => ordered[i], settings: { roundTimeoutMs: 15_000 } })
    const owner = lab.nodes[0]!
    assert.deepEqual(owner.host.getMultiaddrs(), [], 'the owner listens nowhere')
    const seen = (kind: string, reversed: boolean): boolean => builds.some((b) => b.kind === kind && b.reversed === reversed)
    // every kind in both orientations, and until both ends of the owner's edge have been the one to open it
    for (let n = 0; n < MAX_BUILDS; n++) {
      const combos = (['exit', 'entry'] as const).flatMap((kind) => [false, true].map((reversed) => ({ kind, reversed })))
      const next = combos.find((c) => !seen(c.kind, c.reversed)) ?? combos[n % combos.length]!
      if (combos.every((c) => seen(c.kind, c.reversed)) && builds.some((b) => b.x1Opens) && builds.some((b) => !b.x1Opens)) break
      owner.hooks.forceReverse = next.reversed
      let attempt: BuildAttempt | undefined
      for (let tries = 1; ; tries++) {
        await lab.isolate(owner)
        lab.clearRecords()
        const result = await owner.service.buildPath(next.kind, { maxAttempts: 1 })
        attempt = result.attempts[0]!
        if (result.ok) break
        // a loopback TCP connect reset on a loaded machine is retried; any other failure fails the test
        const transient = /connection error .*(ECONNRESET|ECONNREFUSED|EPIPE)/.test(attempt.reason ?? '')
        assert.ok(transient && tries < 3, `${next.kind} reversed=${String(next.reversed)} failed (try ${tries}): ${attempt.reason ?? ''}`)
      }
      const built = attempt
      await waitFor('every X-node linked', () => built.path.every((id) => { const load = lab!.byPeerId(id).service.memberLoad(); return load.unlinked === 0 && load.relayed >= 1 }), 10_000, 20)
      const x1 = lab.byPeerId(built.path[0]!)
      builds.push({
        kind: next.kind,
        reversed: next.reversed,
        x1Opens: opensEdge(peerIdBytes(x1.host.peerId), peerIdBytes(owner.host.peerId)),
        attempt: built,
        ownerWire: owner.wire.slice(),
        inbound: owner.host.getConnections().filter((c) => c.direction === 'inbound').length
      })
    }
    delete owner.hooks.forceReverse
  })

  after(async function () {
    await lab?.stop()
  })

  it('builds exit and entry paths in both orientations, whichever end of its edge to X1 opens it', () => {
    assert.deepEqual([...new Set(builds.map((b) => `${b.kind}/${String(b.reversed)}`))].sort(), ['entry/false', 'entry/true', 'exit/false', 'exit/true'])
    assert.ok(builds.some((b) => b.x1Opens), `X1 never had the smaller PeerId in ${builds.length} builds`)
    assert.ok(builds.some((b) => !b.x1Opens), `the owner never had the smaller PeerId in ${builds.length} builds`)
    for (const b of builds) {
      assert.equal(b.attempt.ok, true)
      assert.equal(b.attempt.path.length, 3)
      assert.equal(b.attempt.reversed, b.reversed)
    }
  })

  it('every connection the owner has it opened itself; the returning setup stream and, when X1 opens it, the link come in over them', () => {
    for (const b of builds) {
      assert.equal(b.inbound, 0, 'an inbound connection at an owner that listens nowhere')
      const lastMember = b.attempt.ring[b.attempt.ring.length - 1]!.peerId
      const opened = (protocol: WireEvent['protocol'], direction: WireEvent['direction']): string[] =>
        b.ownerWire.filter((e) => e.protocol === protocol && e.event === 'open' && e.direction === direction).map((e) => e.remotePeer)
      assert.deepEqual(opened('setup', 'outbound'), [b.attempt.ring[0]!.peerId])
      assert.deepEqual(opened('setup', 'inbound'), [lastMember], 'the last ring member opened the returning stream')
      assert.deepEqual(opened('link', b.x1Opens ? 'inbound' : 'outbound'), [b.attempt.path[0]!], 'the smaller PeerId opened the edge to X1')
      assert.deepEqual(opened('link', b.x1Opens ? 'outbound' : 'inbound'), [])
    }
  })
})

/**
 * An owner that announces an address where nobody can reach it cannot know so
 * by itself: its builds time out in round 1. After UNREACHABLE_HINT_AFTER of
 * them in a row, with no connection ever opened to it, it says so once and
 * names the fix.
 */
describe('an owner announcing an address nobody can reach is told how to fix it', function () {
  this.timeout(120_000)
  let lab: PathLab | undefined

  before(async function () {
    // node 0 listens, but announces a port where nothing does (as a node behind NAT announcing its private address)
    lab = await PathLab.start(13, { announceFor: (i) => i === 0 ? ['/ip4/127.0.0.1/tcp/9'] : undefined, settings: { roundTimeoutMs: 1000 } })
  })

  after(async function () {
    await lab?.stop()
  })

  it(`logs the hint once, after ${UNREACHABLE_HINT_AFTER} builds whose round 1 never came back`, async () => {
    const owner = lab!.nodes[0]!
    const hints = (): string[] => owner.logLines.filter((l) => l.includes('network.reachable: false'))
    for (let n = 1; n <= UNREACHABLE_HINT_AFTER + 1; n++) {
      // no connection left from the build before, over which the last member could reach the owner anyway
      await lab!.isolate(owner)
      const result = await owner.service.buildPath('exit', { maxAttempts: 1 })
      assert.equal(result.ok, false)
      assert.equal(result.attempts[0]!.stage, 'round1', result.attempts[0]!.reason)
      assert.match(result.attempts[0]!.reason ?? '', /no array came back/)
      assert.equal(hints().length, n < UNREACHABLE_HINT_AFTER ? 0 : 1, `after build ${n}`)
    }
    assert.match(hints()[0]!, /127\.0\.0\.1\/tcp\/9/)
  })
})
