import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Server } from 'node:http'
import { ProcessNetwork } from '../harness/processNetwork.js'
import { runCommand } from '../harness/runCommand.js'
import { waitFor } from '../harness/waitFor.js'
import { freePort } from '../harness/freePort.js'
import { startBulkHttpServer } from '../harness/bulkHttpServer.js'

const NODES = 12
const FILE_BYTES = 50 * 1024 * 1024

async function sha256File (file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * Issue 5's end-to-end test: curl through node A's SOCKS5 proxy fetches a
 * 50 MB file from an HTTP server that node B exposes on its AP address, in a
 * network of 12 daemons, each its own process. The connection runs over A's
 * exit path (3 X-nodes) and B's entry path (3 X-nodes).
 */
describe(`SOCKS5 end to end: curl through a full connection, ${NODES} daemon processes`, function () {
  this.timeout(900_000)
  let net: ProcessNetwork | undefined
  let http: { server: Server, port: number, sha256: string }
  let socksPort = 0
  let dir = ''
  let bAddress = ''
  let bName = ''

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'phantom-socks-curl-'))
    http = await startBulkHttpServer(FILE_BYTES)
    socksPort = await freePort()
    net = await ProcessNetwork.start(NODES, {
      readyTimeoutMs: 180_000,
      configFor: (i) => {
        if (i === 0) return { path: { count: { exit: 2, entry: 0 }, diversity: false }, socks: { enabled: true, listen: `127.0.0.1:${socksPort}` } }
        if (i === 1) return { path: { count: { exit: 0, entry: 2 }, diversity: false }, services: [{ port: 80, target: `127.0.0.1:${http.port}` }] }
        return {}
      }
    })
    const [a, b] = [net.nodes[0]!, net.nodes[1]!]
    const status = await b.status()
    bAddress = status.ap[0]!.address
    bName = status.ap[0]!.name
    await waitFor('A has a ready exit path', async () => (await a.status()).paths.some((p) => p.kind === 'exit' && p.state === 'ready'), 300_000, 500)
    await waitFor('B has a ready entry path', async () => (await b.status()).paths.some((p) => p.kind === 'entry' && p.state === 'ready'), 300_000, 500)
    await waitFor('B\'s AP record in the network database', async () => {
      const found = await net!.nodes[2]!.call<{ record: { entryNodes: unknown[] } }>('netdb.get', { key: bAddress }).catch(() => null)
      return found != null && found.record.entryNodes.length > 0
    }, 120_000, 1000)
  })

  after(async function () {
    await net?.destroy()
    http?.server.close()
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it('curl --socks5-hostname fetches 50 MB from B\'s .phantom name; the sha256 matches', async () => {
    const out = join(dir, 'by-name')
    const result = await runCommand('curl', ['--silent', '--show-error', '--fail', '--max-time', '600', '--socks5-hostname', `127.0.0.1:${socksPort}`, '--output', out, '--write-out', '%{size_download} %{speed_download}', `http://${bName}/file`], 620_000)
    assert.equal(result.code, 0, `curl failed: ${result.stderr}`)
    const [size, speed] = result.stdout.trim().split(' ').map(Number)
    assert.equal(size, FILE_BYTES)
    assert.equal(await sha256File(out), http.sha256)
    console.log(`      50 MB by .phantom name at ${((speed ?? 0) * 8 / 1e6).toFixed(1)} Mbit/s`)
  })

  it('curl by AP address reuses the session; A and B each list it', async () => {
    const out = join(dir, 'by-address')
    const result = await runCommand('curl', ['--silent', '--show-error', '--fail', '--max-time', '600', '--socks5-hostname', `127.0.0.1:${socksPort}`, '--output', out, `http://[${bAddress}]/file`], 620_000)
    assert.equal(result.code, 0, `curl failed: ${result.stderr}`)
    assert.equal(await sha256File(out), http.sha256)
    const sessionsA = await net!.nodes[0]!.call<Array<{ peer: string, direction: string }>>('sessions')
    assert.deepEqual(sessionsA.map((s) => [s.peer, s.direction]), [[bAddress, 'outbound']])
    const sessionsB = await net!.nodes[1]!.call<Array<{ direction: string }>>('sessions')
    assert.deepEqual(sessionsB.map((s) => s.direction), ['inbound'])
    assert.equal((await net!.nodes[0]!.status()).sessions, 1)
  })

  it('destinations outside the Phantom network are refused with reply 0x02 (not allowed by ruleset)', async () => {
    const result = await runCommand('curl', ['--silent', '--show-error', '--max-time', '30', '--socks5-hostname', `127.0.0.1:${socksPort}`, 'http://example.com/'], 40_000)
    assert.notEqual(result.code, 0)
    assert.match(result.stderr, /not allowed|connection not allowed by ruleset|\b2\b/i)
  })

  it('a port B does not expose is refused: curl gets no data', async () => {
    const result = await runCommand('curl', ['--silent', '--show-error', '--max-time', '60', '--socks5-hostname', `127.0.0.1:${socksPort}`, `http://${bName}:8081/file`], 70_000)
    assert.notEqual(result.code, 0)
  })
})
