import assert from 'node:assert/strict'
import fc from 'fast-check'
import { streamPair } from '@libp2p/utils'
import { DecodeError } from '../../../src/wire/index.js'
import { ExactReader, StreamReadError } from '../../../src/path/network/exactReader.js'
import { decodeLinkHello, encodeLinkHello, expectedReadyBlock, LINK_BLOCK_BYTES, ownerCheck, ownerReadyBlock, relayReadyLayer, terminalReady, xorBlocks } from '../../../src/path/network/linkBlocks.js'

describe('link blocks', () => {
  it('hello round-trips every non-zero link ID', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((b) => b.some((x) => x !== 0)), (id) => {
      const block = encodeLinkHello(id)
      assert.equal(block.length, LINK_BLOCK_BYTES)
      assert.ok(decodeLinkHello(block).equals(Buffer.from(id)))
    }))
  })

  it('the hello decoder rejects anything else with a DecodeError only (fuzz)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
      try {
        const id = decodeLinkHello(bytes)
        assert.equal(bytes.length, LINK_BLOCK_BYTES)
        assert.ok(Buffer.from(bytes).subarray(32).every((b) => b === 0))
        assert.ok(id.some((b) => b !== 0))
      } catch (err) {
        assert.ok(err instanceof DecodeError, String(err))
      }
    }))
    assert.throws(() => decodeLinkHello(Buffer.alloc(LINK_BLOCK_BYTES)), DecodeError)
    const reserved = encodeLinkHello(Buffer.alloc(32, 1))
    reserved[40] = 1
    assert.throws(() => decodeLinkHello(reserved), DecodeError)
  })

  it('ready blocks: each relay XORs one layer, the same both ways; the owner\'s block reaches the terminating node as ownerCheck, the terminating node\'s reaches the owner as expected', () => {
    const link = fc.uint8Array({ minLength: 32, maxLength: 32 })
    fc.assert(fc.property(fc.array(fc.record({ keySeed: link, linkIn: link }), { minLength: 1, maxLength: 6 }), (raw) => {
      // edge j joins X(j-1) (the owner for j = 0) and Xj; a hop's linkOut is the next hop's linkIn
      const hops = raw.map((h, j) => ({ ...h, linkOut: j + 1 < raw.length ? raw[j + 1]!.linkIn : null }))
      const t = hops[hops.length - 1]!
      const relays = hops.slice(0, -1)
      // the owner's block, forwarded X1 … X(n-1)
      let toT = ownerReadyBlock(hops)
      for (const r of relays) toT = xorBlocks(toT, relayReadyLayer(r.keySeed, r.linkOut!, r.linkIn))
      assert.ok(toT.equals(ownerCheck(t.keySeed, t.linkIn)))
      // the terminating node's block, forwarded X(n-1) … X1; a relay's layer ignores the order of its link IDs
      let toO = terminalReady(t.keySeed, t.linkIn)
      for (const r of [...relays].reverse()) toO = xorBlocks(toO, relayReadyLayer(r.keySeed, r.linkIn, r.linkOut!))
      assert.ok(toO.equals(expectedReadyBlock(hops)))
      // whoever does not know the terminating node's key seed cannot produce either end's block
      const forgedHops = [...relays, { ...t, keySeed: Buffer.alloc(32, 7) }]
      if (!Buffer.from(t.keySeed).equals(Buffer.alloc(32, 7))) {
        assert.ok(!expectedReadyBlock(forgedHops).equals(toO))
        assert.ok(!ownerCheck(Buffer.alloc(32, 7), t.linkIn).equals(toT))
      }
      // the two directions never carry the same block at the terminating node
      assert.ok(!ownerCheck(t.keySeed, t.linkIn).equals(terminalReady(t.keySeed, t.linkIn)))
    }), { numRuns: 50 })
  })
})

describe('ExactReader on a libp2p stream', () => {
  it('delivers exact messages whatever the chunking', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }),
      async (sizes, chunkSizes) => {
        const [a, b] = await streamPair()
        const total = sizes.reduce((x, y) => x + y, 0)
        const data = Buffer.from(Array.from({ length: total }, (_, i) => i % 251))
        const reader = new ExactReader(b, total)
        let off = 0
        let c = 0
        while (off < total) {
          const n = Math.min(chunkSizes[c++ % chunkSizes.length]!, total - off)
          a.send(data.subarray(off, off + n))
          off += n
        }
        let at = 0
        for (const size of sizes) {
          const got = await reader.read(size, 5000)
          assert.ok(got.equals(data.subarray(at, at + size)))
          at += size
        }
        reader.detach()
        a.abort(new Error('done'))
      }), { numRuns: 25 })
  })

  it('resets a stream that sends more than its budget, and refuses reads beyond it', async () => {
    const [a, b] = await streamPair()
    const reader = new ExactReader(b, 100)
    const pending = reader.read(100, 5000)
    a.send(Buffer.alloc(150))
    // either the read completes first and the overrun resets afterwards, or the overrun comes in one chunk
    await pending.then(() => {}, (err: Error) => { assert.ok(err instanceof StreamReadError) })
    await waitStatus(b, ['aborted'])
    await assert.rejects(reader.read(1, 100), StreamReadError)
  })

  it('times out on a stream that sends too little, and resets it', async () => {
    const [a, b] = await streamPair()
    const reader = new ExactReader(b, 1000)
    a.send(Buffer.alloc(10))
    await assert.rejects(reader.read(100, 200), /within 200 ms/)
    assert.equal(b.status, 'aborted')
  })

  it('fails a read when the remote ends early', async () => {
    const [a, b] = await streamPair()
    const reader = new ExactReader(b, 1000)
    const pending = reader.read(100, 5000)
    a.send(Buffer.alloc(10))
    await a.close()
    await assert.rejects(pending, StreamReadError)
  })
})

async function waitStatus (stream: { status: string }, statuses: string[]): Promise<void> {
  const deadline = Date.now() + 5000
  while (!statuses.includes(stream.status)) {
    if (Date.now() > deadline) throw new Error(`stream status ${stream.status}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
