import assert from 'node:assert/strict'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { bulkThroughput, echoRoundTrips, firstByteTimes } from '../../bench/compare/workloads/clientWorkloads.js'
import type { ConnectTarget } from '../../bench/compare/transport.js'

const here = dirname(fileURLToPath(import.meta.url))
const fromSource = import.meta.url.endsWith('.ts')
const serverScript = join(here, '../../bench/compare/workloads', fromSource ? 'benchServer.ts' : 'benchServer.js')

describe('bench workloads against the bench server on loopback', function () {
  let server: ChildProcessWithoutNullStreams
  let target: ConnectTarget

  before(async () => {
    server = spawn(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), serverScript, '--host', '127.0.0.1', '--port', '0'], { stdio: ['pipe', 'pipe', 'pipe'] })
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: server.stdout }).once('line', (line) => {
        const event = JSON.parse(line) as { event: string, port: number }
        if (event.event === 'listening') resolve(event.port); else reject(new Error(line))
      })
      server.once('exit', (code) => { reject(new Error(`bench server exited (${String(code)})`)) })
    })
    target = { kind: 'tcp', host: '127.0.0.1', port }
  })

  after(async () => {
    const exited = new Promise((resolve) => { server.once('exit', resolve) })
    server.stdin.end() // the server exits when its stdin closes
    await exited
  })

  it('measures 64-byte echo round trips', async () => {
    const r = await echoRoundTrips(target, 50, 10_000)
    assert.equal(r.workload, 'echo')
    assert.equal(r.roundTrips, 50)
    assert.ok(r.p50Ms > 0 && r.p50Ms <= r.p99Ms && r.p99Ms <= r.maxMs)
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
