import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { BenchMode } from '../../bench/compare/workloads/benchProtocol.js'
import { bulkThroughput, firstByteTimes } from '../../bench/compare/workloads/clientWorkloads.js'
import { startListeningScript, type ListeningScript } from './benchScripts.js'

async function connected (port: number): Promise<Socket> {
  return await new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => { resolve(socket) })
    socket.once('error', reject)
  })
}

describe('the relay chain\'s TCP forwarder (two chained on loopback, in front of the bench server)', function () {
  this.timeout(30_000)
  const started: ListeningScript[] = []
  let entryPort = 0

  before(async () => {
    const server = await startListeningScript('benchServer', ['--host', '127.0.0.1', '--port', '0'])
    started.push(server)
    const second = await startListeningScript('tcpForwarder', ['--listen', '127.0.0.1:0', '--to', `127.0.0.1:${server.port}`])
    started.push(second)
    const first = await startListeningScript('tcpForwarder', ['--listen', '127.0.0.1:0', '--to', `127.0.0.1:${second.port}`])
    started.push(first)
    entryPort = first.port
  })

  after(async () => {
    await Promise.all(started.map(async (s) => { await s.stop() }))
  })

  it('carries bytes there and back unchanged (1 MiB through the echo mode)', async () => {
    const socket = await connected(entryPort)
    const payload = randomBytes(1 << 20)
    const received: Buffer[] = []
    let length = 0
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => { received.push(chunk); length += chunk.length; if (length >= payload.length) resolve() })
      socket.once('error', reject)
      socket.once('close', () => { reject(new Error(`closed after ${length} bytes`)) })
    })
    socket.write(Buffer.from([BenchMode.echo]))
    socket.write(payload)
    await done
    socket.destroy()
    assert.equal(length, payload.length)
    assert.ok(Buffer.concat(received).equals(payload))
  })

  it('passes a close on: the server\'s answer to a first-byte request arrives, then the end', async () => {
    const r = await firstByteTimes([{ kind: 'tcp', host: '127.0.0.1', port: entryPort }], 10_000)
    assert.equal(r.connections, 1)
    const socket = await connected(entryPort)
    const ended = new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = []
      socket.on('data', (chunk: Buffer) => { parts.push(chunk) })
      socket.once('end', () => { resolve(Buffer.concat(parts)) })
      socket.once('error', reject)
    })
    socket.write(Buffer.from([BenchMode.firstByte]))
    assert.deepEqual([...await ended], [BenchMode.firstByte])
    socket.destroy()
  })

  it('carries a bulk download over several streams', async () => {
    const r = await bulkThroughput({ kind: 'tcp', host: '127.0.0.1', port: entryPort }, 3, 0.2, 10_000)
    assert.equal(r.streams, 3)
    assert.ok(r.bytes > 0)
  })

  it('closes the client\'s connection when its successor cannot be reached', async () => {
    const dead = await startListeningScript('tcpForwarder', ['--listen', '127.0.0.1:0', '--to', '127.0.0.1:1'])
    started.push(dead)
    const socket = await connected(dead.port)
    await new Promise<void>((resolve) => { socket.once('close', () => { resolve() }); socket.on('error', () => {}) })
  })

  it('refuses an address it cannot parse, naming the option', async () => {
    await assert.rejects(startListeningScript('tcpForwarder', ['--listen', '127.0.0.1:0', '--to', 'nowhere']), /--to must be HOST:PORT/)
    await assert.rejects(startListeningScript('tcpForwarder', ['--listen', '127.0.0.1:0', '--to', '127.0.0.1:0']), /--to must be HOST:PORT.*port of 1-65535/)
    await assert.rejects(startListeningScript('tcpForwarder', ['--to', '127.0.0.1:7']), /--listen must be HOST:PORT/)
    await assert.rejects(startListeningScript('tcpForwarder', ['--listen', '127.0.0.1:70000', '--to', '127.0.0.1:7']), /--listen must be HOST:PORT/)
  })
})
