import assert from 'node:assert/strict'
import { randomBytes, randomInt } from '../../src/crypto/index.js'
import {
  decodeReplyBlock, deriveDataLayerKey, deriveTunnelKeySet, initBlockProblem, KeySearcher, KeystreamLayer, permuteForward, permuteInverse, type DataDirection
} from '../../src/tunnel/index.js'
import { sendInward, sendOutward, TunnelChain, type EstablishedTunnel, type RelayEvent } from './tunnelChain.js'

const mirror = (e: RelayEvent): RelayEvent => ({ ...e, side: e.side === 'prev' ? 'next' : 'prev' })

function roundTripData (t: EstablishedTunnel): void {
  for (let i = 0; i < 12; i++) {
    const out = randomBytes(randomInt(300))
    assert.deepEqual(sendOutward(t, out), out)
    const back = randomBytes(randomInt(300))
    assert.deepEqual(sendInward(t, back), back)
  }
}

describe('tunnel setup over a simulated chain', () => {
  for (const hops of [1, 2, 3, 4]) {
    it(`outbound and inbound tunnels work end to end with ${hops} hop(s)`, async () => {
      const chain = new TunnelChain({ hops, keyCount: 5 })
      const out = await chain.outbound()
      assert.equal(out.terminal.reply.portClass, 1)
      assert.deepEqual(out.keyIndices, [...out.relays.map((r) => r.keyIndex), out.terminal.hop.keyIndex])
      roundTripData(out)
      const inb = await chain.inbound()
      assert.deepEqual(inb.keyIndices, [...inb.relays.map((r) => r.keyIndex), inb.terminal.hop.keyIndex])
      assert.equal(inb.owner.init.kind, 'inbound')
      assert.deepEqual(inb.owner.init.apAddress, chain.ownerAp)
      roundTripData(inb)
    })
  }

  it('runs with the key search in a worker thread', async () => {
    const searcher = await KeySearcher.start({ hopCount: 3, calibrationMs: 20 })
    try {
      const chain = new TunnelChain({ hops: 3, keyCount: 10, searcher })
      roundTripData(await chain.outbound())
      roundTripData(await chain.inbound())
    } finally {
      await searcher.close()
    }
  })

  it('invariant 3: every relay sees the same events, sizes and operations for inbound and outbound (mirrored sides)', async () => {
    const chain = new TunnelChain({ hops: 4, keyCount: 6 })
    await chain.outbound()
    const outboundViews = chain.views.map((v) => [...v])
    chain.clearViews()
    await chain.inbound()
    const inboundViews = chain.views.map((v) => [...v])
    assert.equal(outboundViews.length, 3)
    for (let i = 0; i < outboundViews.length; i++) {
      assert.ok(outboundViews[i]!.length >= 10)
      // Same sequence, with "the side the first block came from" in place of prev/next.
      assert.deepEqual(inboundViews[i]!.map(mirror), outboundViews[i])
    }
    // Every relay's view is the same too: it cannot learn its position either.
    for (const v of outboundViews) assert.deepEqual(v, outboundViews[0])
  })

  it('invariant 3: a relay sees no structure and cannot derive the other tunnel keys', async () => {
    const chain = new TunnelChain({ hops: 3, keyCount: 6 })
    // What relay X1 (index 0) observes: every block it receives and sends, in both kinds of tunnel.
    const observed: Buffer[] = []
    const relay = chain.relays[0]!
    const wrapFirst = relay.acceptFirstBlock.bind(relay)
    relay.acceptFirstBlock = (b) => { const o = wrapFirst(b); observed.push(Buffer.from(b)); if (o != null) observed.push(o); return o }
    const wrapBack = relay.backwardStep.bind(relay)
    relay.backwardStep = (f, s) => {
      const r = wrapBack(f, s)
      observed.push(Buffer.from(f), Buffer.from(s))
      if (r != null) observed.push(r.firstOut, r.secondOut)
      return r
    }
    const tunnels = [await chain.outbound(), await chain.inbound()]
    // No observed block, nor any of them peeled or wrapped once with any of its own keys, is a structured setup block.
    const ownKeys = deriveTunnelKeySet(chain.seeds[0]!, 6)
    for (const b of observed) {
      assert.notEqual(initBlockProblem(b), null)
      for (const k of ownKeys) {
        assert.notEqual(initBlockProblem(permuteInverse(k, b)), null)
        assert.notEqual(initBlockProblem(permuteForward(k, b)), null)
      }
      for (const t of tunnels) assert.throws(() => decodeReplyBlock(b, t.owner.init))
    }
    // Every data-layer keystream X1 could derive from its own key set and what it saw (fingerprint: first 64 bytes)…
    const fingerprint = (key: Buffer): string => new KeystreamLayer(key).apply(Buffer.alloc(64)).toString('hex')
    const derivable = new Set<string>()
    for (const k of ownKeys) {
      for (const a of observed) {
        for (const c of observed) {
          for (const d of ['along', 'against'] as DataDirection[]) derivable.add(fingerprint(deriveDataLayerKey(k, d, a, c)))
        }
      }
    }
    // …contains its own layers (it needs them) but none of the other hops' layers. (No data was sent: layers are at position 0.)
    for (const t of tunnels) {
      for (const layer of [t.relays[0]!.along, t.relays[0]!.against]) assert.ok(derivable.has(layer.apply(Buffer.alloc(64)).toString('hex')))
      for (const layer of [t.relays[1]!, t.terminal.hop].flatMap((h) => [h.along, h.against])) {
        assert.ok(!derivable.has(layer.apply(Buffer.alloc(64)).toString('hex')))
      }
    }
  })

  it('invariant 7: no keystream (key, nonce, counter range) is used twice across tunnels, hops and directions', async () => {
    interface Use { party: string, tunnel: number, hop: number, direction: DataDirection, key: string, start: number, end: number }
    const uses: Use[] = []
    let current = 0
    const chain = new TunnelChain({
      hops: 3,
      keyCount: 2, // few keys: hops reuse the same tunnel key K[j] across tunnels all the time
      observe: (party, hop) => {
        const p = party
        return (direction, key, start, end) => { uses.push({ party: p, tunnel: current, hop, direction, key: key.toString('hex'), start, end }) }
      }
    })
    const tunnels: EstablishedTunnel[] = []
    for (let t = 0; t < 24; t++) {
      current = t
      tunnels.push(t % 2 === 0 ? await chain.outbound() : await chain.inbound())
    }
    // Interleave traffic of all tunnels, both directions, odd chunk sizes.
    for (let round = 0; round < 6; round++) {
      for (const t of tunnels) {
        current = tunnels.indexOf(t)
        sendOutward(t, randomBytes(1 + randomInt(200)))
        sendInward(t, randomBytes(1 + randomInt(200)))
      }
    }
    const keyOwner = new Map<string, string>()
    const byKeyAndParty = new Map<string, Use[]>()
    for (const u of uses) {
      const id = `${u.tunnel}/${u.hop}/${u.direction}`
      const prior = keyOwner.get(u.key)
      assert.ok(prior == null || prior === id, `key of ${id} also used by ${prior ?? ''}`)
      keyOwner.set(u.key, id)
      const k = `${u.key}/${u.party}`
      byKeyAndParty.set(k, [...(byKeyAndParty.get(k) ?? []), u])
    }
    assert.equal(keyOwner.size, 24 * 3 * 2, 'one distinct key per tunnel, hop and direction')
    for (const list of byKeyAndParty.values()) {
      const sorted = [...list].sort((a, b) => a.start - b.start)
      for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.start >= sorted[i - 1]!.end, 'overlapping keystream ranges')
    }
    // Each keystream is applied by exactly two parties (owner and its hop), over the same ranges: encryption and its removal.
    for (const key of keyOwner.keys()) {
      const owner = byKeyAndParty.get(`${key}/owner`)
      const hop = byKeyAndParty.get(`${key}/hop`)
      assert.ok(owner != null && hop != null)
      assert.deepEqual(owner.map((u) => [u.start, u.end]), hop.map((u) => [u.start, u.end]))
    }
    // Tunnel keys did repeat across tunnels (so the distinct data keys come from the per-tunnel blocks).
    const choices = new Set(tunnels.map((t) => t.keyIndices[0]))
    assert.equal(choices.size, 2)
  })

  it('invariant 6 support: a flipped data byte garbles exactly that byte after peeling (no integrity in the tunnel)', async () => {
    const chain = new TunnelChain({ hops: 3, keyCount: 4 })
    const t = await chain.outbound()
    sendOutward(t, randomBytes(37)) // move off a block boundary
    const data = randomBytes(500)
    for (const position of [0, 63, 64, 200, 499]) {
      const got = sendOutward(t, data, { relay: 1, byte: position })
      const diff = [...got].flatMap((b, i) => (b !== data[i] ? [i] : []))
      assert.deepEqual(diff, [position])
      assert.equal((got[position] as number) ^ (data[position] as number), 0x01)
    }
  })

  it('a flipped bit in a setup block garbles the whole block: no key combination or reply checks', async () => {
    const chain = new TunnelChain({ hops: 3, keyCount: 4 })
    const relay = chain.relays[1]!
    const original = relay.backwardStep.bind(relay)
    relay.backwardStep = (f, s) => {
      const r = original(f, s)
      if (r != null) r.secondOut[randomInt(64)] ^= 1 << randomInt(8)
      return r
    }
    await assert.rejects(chain.outbound(), /key search found nothing/)
    await assert.rejects(chain.inbound(), /Xn rejected the owner blocks/)
  })

  it('relays drop a second backward step for the same block (one cache entry, one tunnel)', async () => {
    const chain = new TunnelChain({ hops: 2, keyCount: 4 })
    const relay = chain.relays[0]!
    const seen: Array<[Buffer, Buffer]> = []
    const original = relay.backwardStep.bind(relay)
    relay.backwardStep = (f, s) => { seen.push([Buffer.from(f), Buffer.from(s)]); return original(f, s) }
    await chain.outbound()
    const [f, s] = seen[0]!
    assert.equal(original(f, s), null)
  })
})

