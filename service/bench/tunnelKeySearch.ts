/**
 * Tunnel-layer figures: block transforms per second, the calibrated key count
 * N for 3 hops, owner key-search time (p50/p99, in the worker) at that N, and
 * data-layer throughput (one layer; three layers owner-side) for 1420-byte and
 * 64 KiB chunks. Prints figures; not a timed test.
 * Run: npx tsx bench/tunnelKeySearch.ts   (or node dist/bench/tunnelKeySearch.js)
 */
import { performance } from 'node:perf_hooks'
import { randomBytes, randomInt } from '../src/crypto/index.js'
import {
  buildInitBlock, deriveTunnelKeySet, KeySearcher, KeystreamLayer, LayerStack, measureTransformRate, permuteForward, worstCaseTransforms
} from '../src/tunnel/index.js'
import { fmt, percentile, printTable } from './benchStats.js'

const HOPS = 3

async function main (): Promise<void> {
  const mainRate = measureTransformRate(500)
  const searcher = await KeySearcher.start({ hopCount: HOPS, calibrationMs: 300 })
  try {
    const c = searcher.calibration
    const n = searcher.keyCount
    printTable('Block permutation and calibration', [
      ['transforms/s (main thread, 0.5 s)', fmt(mainRate, 0)],
      ['transforms/s (worker calibration, 0.3 s)', fmt(c.transformsPerSecond, 0)],
      ['µs per transform', fmt(1e6 / c.transformsPerSecond, 2)],
      [`calibrated N for ${HOPS} hops, budget ${c.budgetMs} ms`, String(n)],
      ['worst-case transforms at N (N+N²+N³)', String(c.worstCaseTransforms)],
      ['predicted worst-case search', `${fmt(c.worstCaseMs, 1)} ms`]
    ])

    const hopKeys = Array.from({ length: HOPS }, () => deriveTunnelKeySet(randomBytes(32), n))
    const runs = 200
    const found: number[] = []
    const roundTrip: number[] = []
    for (let r = 0; r < runs; r++) {
      const choice = hopKeys.map((k) => randomInt(k.length))
      let b = buildInitBlock('outbound').bytes
      for (let i = HOPS - 1; i >= 0; i--) b = permuteForward(hopKeys[i]![choice[i]!]!, b)
      const t0 = performance.now()
      const res = await searcher.search(b, hopKeys, { kind: 'outbound' })
      roundTrip.push(performance.now() - t0)
      if (res.keyIndices == null) throw new Error('search failed')
      found.push(res.elapsedMs)
    }
    const worst: number[] = []
    for (let r = 0; r < 30; r++) worst.push((await searcher.search(randomBytes(64), hopKeys, { kind: 'outbound' })).elapsedMs)
    printTable(`Owner key search, ${HOPS} hops × N = ${n} (worker)`, [
      [`random key choices (${runs} runs): p50 / p99`, `${fmt(percentile(found, 50), 2)} / ${fmt(percentile(found, 99), 2)} ms`],
      ['  incl. worker round trip: p50 / p99', `${fmt(percentile(roundTrip, 50), 2)} / ${fmt(percentile(roundTrip, 99), 2)} ms`],
      [`full tree, no match (${worst.length} runs, ${worstCaseTransforms(hopKeys.map((k) => k.length))} transforms): p50 / p99`, `${fmt(percentile(worst, 50), 2)} / ${fmt(percentile(worst, 99), 2)} ms`]
    ])
  } finally {
    await searcher.close()
  }

  const rows: Array<[string, string]> = []
  for (const size of [1420, 65536]) {
    const total = 64 * 1024 * 1024
    const chunk = randomBytes(size)
    const one = new KeystreamLayer(randomBytes(32))
    const three = new LayerStack([0, 1, 2].map(() => new KeystreamLayer(randomBytes(32))))
    for (const [label, apply] of [['1 layer (a hop)', (b: Buffer) => { one.applyInPlace(b) }], ['3 layers (owner)', (b: Buffer) => { three.applyInPlace(b) }]] as const) {
      for (let i = 0; i < 50; i++) apply(chunk)
      const count = Math.ceil(total / size)
      const t0 = performance.now()
      for (let i = 0; i < count; i++) apply(chunk)
      const s = (performance.now() - t0) / 1000
      rows.push([`${label}, ${size}-byte chunks`, `${fmt(count * size / s / 1e6, 0)} MB/s`])
    }
  }
  printTable('Data layers (XChaCha20, in place, 64 MiB each)', rows)
}

await main()
