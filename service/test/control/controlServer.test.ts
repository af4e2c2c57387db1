import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { ControlServer, type ControlMethod } from '../../src/control/controlServer.js'
import { ControlClient, ControlClientError } from '../../src/control/controlClient.js'
import { ControlMethodError, parseControlRequest, CONTROL_MAX_LINE_BYTES } from '../../src/control/controlProtocol.js'
import { silentLogger } from '../../src/logging/logger.js'

async function rawExchange (path: string, data: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = createConnection(path)
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => { answer += d; if (answer.includes('\n')) { socket.destroy(); resolve(answer) } })
    socket.on('error', reject)
    socket.on('close', () => resolve(answer))
    socket.write(data)
  })
}

describe('control socket', () => {
  let dir: string
  let server: ControlServer
  let path: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phantom-ctl-'))
    path = join(dir, 'control.sock')
    const methods = new Map<string, ControlMethod>([
      ['echo', async (p) => p],
      ['boom', async () => { throw new Error('exploded') }],
      ['missing', async () => { throw new ControlMethodError('not-found', 'no such thing') }]
    ])
    server = new ControlServer(path, methods, silentLogger)
    await server.start()
  })
  after(async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('is created with mode 0660', async () => {
    assert.equal((await stat(path)).mode & 0o777, 0o660)
  })

  it('answers calls and reports method errors with their codes', async () => {
    const client = await ControlClient.connect(path)
    assert.deepEqual(await client.call('echo', { a: 1 }), { a: 1 })
    await assert.rejects(client.call('boom'), (e: unknown) => e instanceof ControlClientError && e.code === 'failed')
    await assert.rejects(client.call('missing'), (e: unknown) => e instanceof ControlClientError && e.code === 'not-found')
    await assert.rejects(client.call('nope'), (e: unknown) => e instanceof ControlClientError && e.code === 'unknown-method')
    client.close()
  })

  it('answers malformed requests with bad-request and keeps serving', async () => {
    for (const bad of ['not json\n', '[1,2]\n', '{"id":"x","method":"echo"}\n', '{"id":1}\n', '{"id":1,"method":"echo","params":[1]}\n']) {
      const answer = JSON.parse(await rawExchange(path, bad))
      assert.equal(answer.error.code, 'bad-request', bad)
    }
    const client = await ControlClient.connect(path)
    assert.deepEqual(await client.call('echo', { still: 'alive' }), { still: 'alive' })
    client.close()
  })

  it('disconnects a client that sends an over-long line', async () => {
    const answer = await rawExchange(path, 'x'.repeat(CONTROL_MAX_LINE_BYTES + 10))
    assert.match(answer, /too long/)
  })

  it('refuses to start over a live socket, and replaces a stale one', async () => {
    const second = new ControlServer(path, new Map(), silentLogger)
    await assert.rejects(second.start(), /in use/)
  })

  it('random request lines never throw from the parser', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json()), (line) => {
      const r = parseControlRequest(line)
      assert.ok('code' in r || typeof r.method === 'string')
    }), { numRuns: 500 })
  })
})
