import assert from 'node:assert/strict'
import fc from 'fast-check'
import { percentile } from '../../bench/benchStats.js'
import { formatTables, median, ratio, type CompareRun } from '../../bench/compare/compareResults.js'
import { summarizeLatencies } from '../../bench/compare/latencySummary.js'
import { parseIperf3Json } from '../../bench/compare/workloads/iperf3.js'
import { benchYggdrasilConfig, type YggdrasilConfig } from '../../bench/compare/transports/yggdrasil.js'

describe('comparison bench helpers', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i) // 100 … 1
    assert.equal(percentile(values, 50), 50)
    assert.equal(percentile(values, 99), 99)
    assert.equal(percentile(values, 100), 100)
    assert.equal(percentile([7], 99), 7)
    assert.ok(Number.isNaN(percentile([], 50)))
    const s = summarizeLatencies([3, 1, 2, 10])
    assert.deepEqual(s, { count: 4, p50: 2, p99: 10, mean: 4, min: 1, max: 10 })
    assert.ok(Number.isNaN(summarizeLatencies([]).p50))
  })

  it('keeps percentiles within the data, ordered, and leaves the input unsorted', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), (values) => {
      const copy = [...values]
      const s = summarizeLatencies(values)
      assert.deepEqual(values, copy)
      assert.ok(s.min <= s.p50 && s.p50 <= s.p99 && s.p99 <= s.max)
      assert.ok(values.includes(s.p50) && values.includes(s.p99))
      assert.ok(s.min <= s.mean + 1e-9 && s.mean <= s.max + 1e-9)
    }))
  })

  it('formats ratios to the reference and medians', () => {
    assert.equal(ratio(50, 100), '×0.50')
    assert.equal(ratio(150, 100), '×1.5')
    assert.equal(ratio(1234, 10), '×123')
    assert.equal(ratio(1, 0), '–')
    assert.equal(ratio(undefined, 1), '–')
    assert.equal(ratio(1, null), '–')
    assert.equal(median([3, 1, 2]), 2)
    assert.equal(median([4, 1, 2, 3]), 2.5)
    assert.equal(median([]), null)
  })

  it('turns a generated Yggdrasil config into a closed, statically peered one', () => {
    const generated: YggdrasilConfig = {
      Peers: ['tls://example.invalid:1'], Listen: ['tcp://[::]:0'], AdminListen: 'unix:///var/run/yggdrasil/yggdrasil.sock',
      MulticastInterfaces: [{ Regex: '.*', Beacon: true, Listen: true }], AllowedPublicKeys: [],
      PublicKey: 'ab', PrivateKey: 'cd', IfName: 'auto', IfMTU: 65535, NodeInfo: null
    }
    const c = benchYggdrasilConfig(generated, { peers: ['tcp://[fd63:6d70::2]:12345'], listen: [], allowedPublicKeys: ['ef'] })
    assert.deepEqual(c.Peers, ['tcp://[fd63:6d70::2]:12345'])
    assert.deepEqual(c.Listen, [])
    assert.equal(c.AdminListen, 'none')
    assert.deepEqual(c.MulticastInterfaces, [])
    assert.deepEqual(c.AllowedPublicKeys, ['ef'])
    assert.equal(c.PrivateKey, 'cd')
    assert.equal(c.IfMTU, 65535, 'the default MTU is kept')
    assert.equal(c.NodeInfo, null)
  })
})

describe('iperf3 output', () => {
  it('reads the received throughput of a -J report and refuses errors and junk', () => {
    const report = JSON.stringify({ start: {}, intervals: [], end: { sum_sent: { bits_per_second: 2e9, retransmits: 3 }, sum_received: { seconds: 3.01, bytes: 750000000, bits_per_second: 1.99e9 } } })
    assert.deepEqual(parseIperf3Json(report), { bitsPerSecond: 1.99e9, seconds: 3.01, retransmits: 3 })
    assert.throws(() => parseIperf3Json(JSON.stringify({ error: 'unable to connect to server: Connection refused' })), /unable to connect/)
    assert.throws(() => parseIperf3Json('iperf3: error'), /no JSON/)
    assert.throws(() => parseIperf3Json(JSON.stringify({ end: { sum_received: { bits_per_second: 'fast', seconds: 1 } } })), /sum_received/)
    fc.assert(fc.property(fc.json(), (text) => {
      try {
        const r = parseIperf3Json(text)
        assert.ok(Number.isFinite(r.bitsPerSecond) && r.bitsPerSecond >= 0)
      } catch (error) {
        assert.ok(error instanceof Error)
      }
    }))
  })
})

describe('comparison tables', () => {
  it('shows the warm-up echo as the cold figure when the run had a warm-up, and not for older runs', () => {
    const echo = (p50Ms: number): NonNullable<CompareRun['paths'][number]['echo']> => ({ workload: 'echo', roundTrips: 1000, p50Ms, p99Ms: p50Ms * 3, meanMs: p50Ms, maxMs: p50Ms * 4 })
    const base: CompareRun = {
      date: '2026-11-23T00:00:00.000Z',
      quick: false,
      settings: { bulkSeconds: 10, echoRoundTrips: 1000, firstByteConnections: 20, warmupRoundTrips: 3000 },
      machine: { cpus: 2, model: 'AMD EPYC', memGiB: 24, node: 'v24.9.0', kernel: '6.18.44' },
      loadAverageBefore: [0, 0, 0],
      loadAverageAfter: [0, 0, 0],
      transports: [{ name: 'phantom', startSeconds: 1, notes: {} }],
      paths: [{ label: 'phantom-tun', transport: 'phantom', description: '', echo: echo(3.4), warmupEcho: echo(5.21), memory: [], errors: [] }]
    }
    const echoSection = (run: CompareRun): string => formatTables(run).split('### ').find((t) => t.startsWith('64-byte echo')) ?? ''
    const warm = echoSection(base)
    assert.match(warm, /after a warm-up of 3000 round trips/)
    assert.match(warm, /\| p50 during the warm-up \(cold\) \|/)
    assert.match(warm, /\| phantom-tun \| 3\.400 \|.*\| 5\.210 \|$/m)
    const older = echoSection({ ...base, settings: { bulkSeconds: 10, echoRoundTrips: 1000, firstByteConnections: 20 } })
    assert.doesNotMatch(older, /warm-up/)
    assert.match(older, /\| phantom-tun \| 3\.400 \|[^\n]*\|$/m)
  })

  it('shows the spaced echo (one every N ms) next to the back-to-back one when the run measured it', () => {
    const echo = (p50Ms: number, intervalMs = 0): NonNullable<CompareRun['paths'][number]['echo']> => ({ workload: 'echo', roundTrips: 200, intervalMs, p50Ms, p99Ms: p50Ms * 3, meanMs: p50Ms, maxMs: p50Ms * 4 })
    const run: CompareRun = {
      date: '2026-11-23T00:00:00.000Z',
      quick: false,
      settings: { bulkSeconds: 10, echoRoundTrips: 1000, firstByteConnections: 20, warmupRoundTrips: 3000, spacedEchoRoundTrips: 200, spacedEchoIntervalMs: 50 },
      machine: { cpus: 2, model: 'AMD EPYC', memGiB: 24, node: 'v24.9.0', kernel: '6.18.44' },
      loadAverageBefore: [0, 0, 0],
      loadAverageAfter: [0, 0, 0],
      transports: [{ name: 'relay-chain', startSeconds: 1, notes: {} }],
      paths: [
        { label: 'relay-chain', transport: 'relay-chain', description: '', echo: echo(2.28), warmupEcho: echo(2.5), spacedEcho: echo(3.1, 50), memory: [], errors: [] },
        { label: 'failed', transport: 'relay-chain', description: '', echo: echo(1), memory: [], errors: ['echo, one every 50 ms: timed out'] }
      ]
    }
    const section = formatTables(run).split('### ').find((t) => t.startsWith('64-byte echo')) ?? ''
    assert.match(section, /\| p50 \/ p99, one every 50 ms \|/)
    assert.match(section, /\| relay-chain \| 2\.280 \|.*\| 2\.500 \| 3\.100 \/ 9\.300 \|$/m)
    assert.match(section, /\| failed \| 1\.000 \|.*\| – \/ – \|$/m)
    assert.match(section, /200 round trips on one connection, each sent 50 ms after the previous one/)
  })
})
