import assert from 'node:assert/strict'
import { randomBytes } from '../../src/crypto/index.js'
import {
  buildInitBlock, calibrationFor, deriveTunnelKeySet, initBlockAcceptor, KEY_COUNT_FLOOR, keyCountForBudget, KeySearcher, permuteForward,
  searchKeyTree, worstCaseTransforms, type TunnelKeySet
} from '../../src/tunnel/index.js'
import { randomApAddress } from './tunnelChain.js'

function layer (init: Buffer, hopKeys: TunnelKeySet[], choice: number[]): Buffer {
  let b = init
  for (let i = hopKeys.length - 1; i >= 0; i--) b = permuteForward(hopKeys[i]![choice[i]!]!, b)
  return b
}

describe('owner key search', () => {
  const hopKeys = [0, 1, 2].map(() => deriveTunnelKeySet(randomBytes(32), 6))

  it('finds every hop key choice by a tree search, within N + N² + N³ transforms', () => {
    for (const choice of [[0, 0, 0], [5, 5, 5], [2, 4, 1], [5, 0, 3]]) {
      const init = buildInitBlock('outbound')
      const r = searchKeyTree(layer(init.bytes, hopKeys, choice), hopKeys, initBlockAcceptor({ kind: 'outbound' }))
      assert.deepEqual(r.keyIndices, choice)
      assert.deepEqual(r.innermost, init.bytes)
      assert.ok(r.transforms <= worstCaseTransforms([6, 6, 6]))
    }
    // The last combination in search order costs exactly the worst case; n·Nⁿ would be 648.
    const r = searchKeyTree(layer(buildInitBlock('outbound').bytes, hopKeys, [5, 5, 5]), hopKeys, initBlockAcceptor({ kind: 'outbound' }))
    assert.equal(r.transforms, 6 + 36 + 216)
  })

  it('finds nothing in a tampered or random block (full tree, no false accept)', () => {
    const layered = layer(buildInitBlock('outbound').bytes, hopKeys, [1, 2, 3])
    layered[40] = (layered[40] as number) ^ 0x01
    const r = searchKeyTree(layered, hopKeys, initBlockAcceptor({ kind: 'outbound' }))
    assert.equal(r.keyIndices, null)
    assert.equal(r.transforms, 258)
    assert.equal(searchKeyTree(randomBytes(64), hopKeys, initBlockAcceptor({ kind: 'outbound' })).keyIndices, null)
  })

  it('inbound: accepts only an inbound block naming one of the owner\'s AP addresses', () => {
    const mine = randomApAddress()
    const layered = layer(buildInitBlock('inbound', mine).bytes, hopKeys, [3, 1, 4])
    assert.deepEqual(searchKeyTree(layered, hopKeys, initBlockAcceptor({ kind: 'inbound', apAddresses: [randomApAddress(), mine] })).keyIndices, [3, 1, 4])
    assert.equal(searchKeyTree(layered, hopKeys, initBlockAcceptor({ kind: 'inbound', apAddresses: [randomApAddress()] })).keyIndices, null)
    assert.equal(searchKeyTree(layered, hopKeys, initBlockAcceptor({ kind: 'outbound' })).keyIndices, null)
  })

  it('calibration picks the largest N whose worst case fits the budget', () => {
    assert.equal(worstCaseTransforms([10, 10, 10]), 1110)
    // 1 M transforms/s, 100 ms → 100 000 transforms: 45 + 45² + 45³ = 93 195 fits, 46 → 99 452 fits, 47 → 106 079 does not.
    assert.equal(keyCountForBudget(1_000_000, 3, 100), 46)
    assert.equal(keyCountForBudget(10, 3, 100), KEY_COUNT_FLOOR)
    const c = calibrationFor(200_000, 3, 100)
    assert.ok(c.worstCaseTransforms <= 20_000 && worstCaseTransforms([c.keyCount + 1, c.keyCount + 1, c.keyCount + 1]) > 20_000)
    assert.throws(() => keyCountForBudget(0, 3, 100), RangeError)
  })

  describe('in a worker thread', () => {
    let searcher: KeySearcher
    before(async () => { searcher = await KeySearcher.start({ hopCount: 3, calibrationMs: 30 }) })
    after(async () => { await searcher.close() })

    it('calibrates at start-up and exposes N', () => {
      assert.ok(searcher.calibration.transformsPerSecond > 0)
      assert.equal(searcher.calibration.hopCount, 3)
      assert.equal(searcher.keyCount, searcher.calibration.keyCount)
      assert.ok(searcher.keyCount >= KEY_COUNT_FLOOR)
    })

    it('searches off the event loop and returns the same answer as the in-thread search', async () => {
      const keys = [0, 1, 2].map(() => deriveTunnelKeySet(randomBytes(32), 12))
      const choice = [11, 0, 7]
      const init = buildInitBlock('outbound')
      const layered = layer(init.bytes, keys, choice)
      let ticks = 0
      let ticking = true
      const tick = (): void => { ticks++; if (ticking) setImmediate(tick) }
      setImmediate(tick)
      const results = await Promise.all([
        searcher.search(layered, keys, { kind: 'outbound' }),
        searcher.search(randomBytes(64), keys, { kind: 'outbound' })
      ])
      const ticksDuringSearch = ticks
      ticking = false
      assert.deepEqual(results[0].keyIndices, choice)
      assert.deepEqual(results[0].innermost, init.bytes)
      assert.equal(results[1].keyIndices, null)
      assert.equal(results[1].transforms, worstCaseTransforms([12, 12, 12]))
      assert.ok(ticksDuringSearch > 0, 'the event loop kept turning while the worker searched')
    })

    it('rejects searches once closed', async () => {
      const other = await KeySearcher.start({ hopCount: 1, calibrationMs: 10 })
      await other.close()
      await assert.rejects(other.search(randomBytes(64), [deriveTunnelKeySet(randomBytes(32), 2)], { kind: 'outbound' }), /closed/)
    })

    it('refuses oversized searches and bad input before reaching the worker', async () => {
      const big = [0, 1, 2, 3, 4, 5].map(() => deriveTunnelKeySet(randomBytes(32), 64))
      await assert.rejects(searcher.search(randomBytes(64), big, { kind: 'outbound' }), RangeError)
      await assert.rejects(searcher.search(randomBytes(63), [big[0]!], { kind: 'outbound' }), RangeError)
    })
  })
})
