import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bulkThroughput, echoRoundTrips, firstByteTimes } from '../../bench/compare/workloads/clientWorkloads.js'
import type { ConnectTarget } from '../../bench/compare/transport.js'
import { startListeningScript, type ListeningScript } from './benchScripts.js'

describe('bench workloads against the bench server on loopback', function () {
  let server: ListeningScript
  let target: ConnectTarget

  before(async () => {
    server = await startListeningScript('benchServer', ['--host', '127.0.0.1', '--port', '0'])
    target = { kind: 'tcp', host: '127.0.0.1', port: server.port }
  })

  after(async () => {
    await server.stop() // the server exits when its stdin closes
  })

  it('measures 64-byte echo round trips', async () => {
    const r = await echoRoundTrips(target, 50, 10_000)
    assert.equal(r.workload, 'echo')
    assert.equal(r.roundTrips, 50)
    assert.ok(r.p50Ms > 0 && r.p50Ms <= r.p99Ms && r.p99Ms <= r.maxMs)
  })

  it('paces echo round trips one every interval when asked, as ping does', async () => {
    const start = performance.now()
    const r = await echoRoundTrips(target, 5, 10_000, 40)
    const elapsed = performance.now() - start
    assert.equal(r.roundTrips, 5)
    assert.equal(r.intervalMs, 40)
    // five sends, each at least 40 ms after the previous one: the last one is 160 ms after the first
    assert.ok(elapsed >= 160, `5 round trips one every 40 ms took only ${elapsed.toFixed(1)} ms`)
    assert.ok(r.p50Ms > 0 && r.p50Ms <= r.p99Ms)
  })

  it('measures the first byte of fresh connections', async () => {
    const r = await firstByteTimes([target, target, target], 10_000)
    assert.equal(r.connections, 3)
    assert.equal(r.timesMs.length, 3)
    assert.ok(r.minMs > 0 && r.minMs <= r.p50Ms && r.p50Ms <= r.maxMs)
  })

  it('measures one fresh connection to each of several destinations, failing on one that does not answer', async () => {
    const r = await firstByteTimes([target, { ...target }], 10_000)
    assert.equal(r.connections, 2)
    assert.equal(r.timesMs.length, 2)
    await assert.rejects(firstByteTimes([target, { kind: 'tcp', host: '127.0.0.1', port: 1 }], 5_000), /ECONNREFUSED/)
  })

  it('measures bulk download over one and several streams', async () => {
    for (const streams of [1, 3]) {
      const r = await bulkThroughput(target, streams, 0.2, 10_000)
      assert.equal(r.streams, streams)
      assert.ok(r.bytes > 0 && r.totalBytes >= r.bytes)
      assert.ok(r.mbitPerSecond > 0 && r.seconds > 0)
    }
  })

  it('fails cleanly when nothing listens', async () => {
    await assert.rejects(echoRoundTrips({ kind: 'tcp', host: '127.0.0.1', port: 1 }, 1, 5_000), /ECONNREFUSED/)
  })
})

describe('the bench client driver\'s options', () => {
  const here = dirname(fileURLToPath(import.meta.url))
  const fromSource = import.meta.url.endsWith('.ts')
  const script = join(here, '../../bench/compare/workloads', fromSource ? 'benchClient.ts' : 'benchClient.js')
  const run = (args: string[]): { status: number | null, report: { error?: string } } => {
    const r = spawnSync(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), script, '--target', JSON.stringify({ kind: 'tcp', host: '127.0.0.1', port: 1 }), ...args], { encoding: 'utf8', timeout: 30_000 })
    return { status: r.status, report: JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { error?: string } }
  }

  it('refuses a number option that is not a number, or below its minimum, naming it', function () {
    this.timeout(60_000)
    for (const [args, pattern] of [
      [['--workload', 'echo', '--interval-ms', 'soon'], /--interval-ms must be a number of at least 0, got soon/],
      [['--workload', 'echo', '--count', '0'], /--count must be a number of at least 1, got 0/],
      [['--workload', 'bulk', '--streams', ''], /--streams must be a number of at least 1/]
    ] as const) {
      const { status, report } = run([...args])
      assert.equal(status, 1)
      assert.match(report.error ?? '', pattern)
    }
  })
})
