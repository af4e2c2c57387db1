import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createConnection, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, type Duplex } from 'node:stream'
import fc from 'fast-check'
import { deriveApAddress, formatApAddress } from '../../src/netdb/apAddress.js'
import { phantomNameFromRoutingKey } from '../../src/netdb/phantomName.js'
import { encodeGreeting, encodeReply, encodeRequest, type SocksAddress } from '../../src/socks/socksCodec.js'
import { SocksCommand, SocksReply } from '../../src/socks/socksConstants.js'
import { PhantomConnectError } from '../../src/socks/socksConnectError.js'
import type { PhantomTarget } from '../../src/socks/phantomTarget.js'
import { SocksServer, type PhantomConnector } from '../../src/socks/socksServer.js'
import { runCommand } from '../harness/runCommand.js'
import { waitFor } from '../harness/waitFor.js'
import { closedWithin, exchange, readBytes } from './socksTestKit.js'

const KEY = randomBytes(32)
const NAME = phantomNameFromRoutingKey(KEY)
const AP = deriveApAddress(KEY)
const BIG = randomBytes(8 * 1024 * 1024)
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
const ACCEPT = Buffer.from([5, 0])
/** curl's exit code when the SOCKS proxy refuses the connection (CURLE_PROXY, curl ≥ 7.73). */
const CURLE_PROXY = 97

function connectRequest (address: SocksAddress, port = 8080, command: number = SocksCommand.connect): Buffer {
  return Buffer.concat([encodeGreeting([0]), encodeRequest({ command, address, port })])
}
const nameAddress = (name: string): SocksAddress => ({ type: 'domain', name: Buffer.from(name) })

async function socketTo (port: number): Promise<Socket> {
  const socket = createConnection({ host: '127.0.0.1', port })
  await once(socket, 'connect')
  return socket
}

describe('SOCKS5 server', function () {
  this.timeout(60_000)
  let dir: string
  let http: HttpServer
  let httpPort: number
  let server: SocksServer
  let socksPort: number
  const calls: PhantomTarget[] = []
  let connectImpl: PhantomConnector

  /** The test network: every target is the local HTTP server. */
  const toHttpServer: PhantomConnector = async () => {
    const socket = createConnection({ host: '127.0.0.1', port: httpPort })
    await once(socket, 'connect')
    return socket
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phantom-socks-'))
    http = createHttpServer((req, res) => {
      if (req.method === 'GET' && req.url === '/big') { res.setHeader('content-type', 'application/octet-stream'); res.end(BIG); return }
      if (req.method === 'POST' && req.url === '/upload') {
        const hash = createHash('sha256')
        req.on('data', (d: Buffer) => hash.update(d))
        req.on('end', () => { res.end(hash.digest('hex')) })
        return
      }
      res.statusCode = 404
      res.end('not found')
    })
    http.listen(0, '127.0.0.1')
    await once(http, 'listening')
    httpPort = (http.address() as { port: number }).port
    server = new SocksServer({
      listen: '127.0.0.1:0',
      connect: async (target, options) => { calls.push(target); return await connectImpl(target, options) },
      lookupName: (name) => name === 'shop.phantom' ? AP : undefined,
      handshakeTimeoutMs: 20_000
    })
    await server.start()
    socksPort = server.address().port
  })
  beforeEach(() => { calls.length = 0; connectImpl = toHttpServer })
  after(async () => {
    await server.stop()
    http.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** Still serving: a full CONNECT to an AP address succeeds. */
  async function assertStillServing (): Promise<void> {
    const previous = connectImpl
    connectImpl = toHttpServer
    const socket = await socketTo(socksPort)
    socket.write(connectRequest({ type: 'ipv6', bytes: AP }))
    assert.deepEqual(await readBytes(socket, 2 + 22), Buffer.concat([ACCEPT, encodeReply(SocksReply.succeeded)]))
    socket.destroy()
    connectImpl = previous
  }

  async function curl (args: string[]): Promise<{ code: number | null, stderr: string }> {
    const r = await runCommand('curl', ['-sS', '-g', '--max-time', '60', ...args], 90_000)
    return { code: r.code, stderr: r.stderr }
  }

  it('curl --socks5-hostname fetches a large body from a .phantom name (sha256 matches) and uploads one', async () => {
    const out = join(dir, 'by-name')
    const r = await curl(['--socks5-hostname', `127.0.0.1:${socksPort}`, '-o', out, `http://${NAME}:8080/big`])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(sha256(await readFile(out)), sha256(BIG))
    assert.deepEqual(calls, [{ ap: AP, port: 8080, name: NAME }])

    const upload = join(dir, 'upload')
    const body = randomBytes(6 * 1024 * 1024)
    await writeFile(upload, body)
    const answer = join(dir, 'answer')
    const u = await curl(['--socks5-hostname', `127.0.0.1:${socksPort}`, '--data-binary', `@${upload}`, '-o', answer, `http://${NAME.toUpperCase()}:8080/upload`])
    assert.equal(u.code, 0, u.stderr)
    assert.equal((await readFile(answer, 'utf8')), sha256(body))
  })

  it('curl --socks5 reaches an AP address literal, and a petname resolves locally', async () => {
    const out = join(dir, 'by-address')
    const r = await curl(['--socks5', `127.0.0.1:${socksPort}`, '-o', out, `http://[${formatApAddress(AP)}]:8080/big`])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(sha256(await readFile(out)), sha256(BIG))
    assert.deepEqual(calls, [{ ap: AP, port: 8080 }])
    const pet = await curl(['--socks5-hostname', `127.0.0.1:${socksPort}`, '-o', join(dir, 'pet'), 'http://shop.phantom:8080/big'])
    assert.equal(pet.code, 0, pet.stderr)
    assert.deepEqual(calls[1], { ap: AP, port: 8080, name: 'shop.phantom' })
  })

  it('refuses the Internet: curl to example.com and to an IPv4 address fails with a SOCKS refusal, connect never called', async () => {
    const byName = await curl(['--socks5-hostname', `127.0.0.1:${socksPort}`, 'http://example.com/'])
    assert.equal(byName.code, CURLE_PROXY, byName.stderr)
    const byAddress = await curl(['--socks5', `127.0.0.1:${socksPort}`, 'http://192.0.2.1/'])
    assert.equal(byAddress.code, CURLE_PROXY, byAddress.stderr)
    const byIpv6 = await curl(['--socks5', `127.0.0.1:${socksPort}`, 'http://[2001:db8::1]/'])
    assert.equal(byIpv6.code, CURLE_PROXY, byIpv6.stderr)
    assert.equal(calls.length, 0)
  })

  it('answers connect failures with their reply codes', async () => {
    const cases: Array<[() => Promise<Duplex>, number]> = [
      [async () => { throw new PhantomConnectError('host-unreachable') }, SocksReply.hostUnreachable],
      [async () => { throw new PhantomConnectError('connection-refused') }, SocksReply.connectionRefused],
      [async () => { throw new PhantomConnectError('network-unreachable') }, SocksReply.networkUnreachable],
      [async () => { throw new PhantomConnectError('general-failure') }, SocksReply.generalFailure],
      [async () => { throw new Error('anything else') }, SocksReply.generalFailure],
      [() => { throw new Error('thrown synchronously') }, SocksReply.generalFailure]
    ]
    for (const [impl, code] of cases) {
      connectImpl = impl
      const r = await exchange(socksPort, [connectRequest(nameAddress(NAME))])
      assert.deepEqual(r.data, Buffer.concat([ACCEPT, encodeReply(code as 0)]))
      assert.ok(r.closed)
    }
    // A plain socket error maps too: nothing listens on this port.
    const idle = createTcpServer()
    idle.listen(0, '127.0.0.1')
    await once(idle, 'listening')
    const deadPort = (idle.address() as { port: number }).port
    await new Promise(resolve => idle.close(resolve))
    connectImpl = async () => {
      const socket = createConnection({ host: '127.0.0.1', port: deadPort })
      await once(socket, 'connect')
      return socket
    }
    const refused = await exchange(socksPort, [connectRequest(nameAddress(NAME))])
    assert.deepEqual(refused.data, Buffer.concat([ACCEPT, encodeReply(SocksReply.connectionRefused)]))
  })

  it('refuses BIND and UDP ASSOCIATE with 0x07, unknown address types with 0x08, no method with 0xff', async () => {
    for (const command of [SocksCommand.bind, SocksCommand.udpAssociate]) {
      const r = await exchange(socksPort, [connectRequest({ type: 'ipv6', bytes: AP }, 80, command)])
      assert.deepEqual(r.data, Buffer.concat([ACCEPT, encodeReply(SocksReply.commandNotSupported)]))
      assert.ok(r.closed)
    }
    const badType = await exchange(socksPort, [Buffer.from([5, 1, 0, 5, 1, 0, 0, 9])])
    assert.deepEqual(badType.data, Buffer.concat([ACCEPT, encodeReply(SocksReply.addressTypeNotSupported)]))
    const noMethod = await exchange(socksPort, [Buffer.from([5, 1, 2])])
    assert.deepEqual(noMethod.data, Buffer.from([5, 0xff]))
    assert.ok(noMethod.closed)
    assert.equal(calls.length, 0)
  })

  it('truncated handshakes at every byte position are closed without a connect', async () => {
    const full = connectRequest(nameAddress(NAME))
    for (let cut = 0; cut < full.length; cut++) {
      const r = await exchange(socksPort, [full.subarray(0, cut)], { end: true })
      assert.ok(r.closed, `cut at ${cut}`)
      assert.deepEqual(r.data, cut >= 3 ? ACCEPT : Buffer.alloc(0), `cut at ${cut}`)
    }
    assert.equal(calls.length, 0)
    await assertStillServing()
  })

  it('a malformed byte at every position is answered or closed, and the server keeps serving', async () => {
    connectImpl = async () => { throw new PhantomConnectError('host-unreachable') }
    const full = connectRequest(nameAddress(NAME))
    for (let at = 0; at < full.length; at++) {
      const mutated = Buffer.from(full)
      mutated[at] = (mutated[at] as number) ^ 0xa5
      // Sent byte by byte: the worst chunking.
      const r = await exchange(socksPort, [...mutated].map(b => Buffer.from([b])), { end: true })
      assert.ok(r.closed, `mutated at ${at}`)
      const ok = r.data.length === 0 || r.data.equals(Buffer.from([5, 0xff])) || r.data.equals(ACCEPT) ||
        (r.data.length === 24 && r.data.subarray(0, 2).equals(ACCEPT) && r.data[3] !== SocksReply.succeeded)
      assert.ok(ok, `mutated at ${at}: ${r.data.toString('hex')}`)
    }
    await assertStillServing()
  })

  it('fuzz: random and mutated clients never crash the server, every one is closed, the server keeps serving', async () => {
    connectImpl = async () => { throw new PhantomConnectError('connection-refused') }
    const valid = connectRequest(nameAddress(NAME))
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 1200 }).map(b => Buffer.from(b)),
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]) => { const m = Buffer.from(valid); m[at % m.length] = v; return m }),
      fc.uint8Array({ maxLength: 600 }).map(b => Buffer.concat([Buffer.from([5, 1, 0]), b]))
    )
    await fc.assert(fc.asyncProperty(input, fc.array(fc.nat(), { maxLength: 4 }), async (bytes, cuts) => {
      const points = [...new Set(cuts.map(c => c % (bytes.length + 1)))].sort((a, b) => a - b)
      const chunks: Buffer[] = []
      let from = 0
      for (const p of [...points, bytes.length]) { chunks.push(bytes.subarray(from, p)); from = p }
      const r = await exchange(socksPort, chunks.filter(c => c.length > 0), { end: true })
      assert.ok(r.closed)
      assert.ok(r.data.length <= 24)
    }), { numRuns: 60 })
    await waitFor('every fuzz client to be gone', () => server.clientCount === 0, 10_000, 20)
    await assertStillServing()
  })

  it('passes a half-close on and still delivers the answer', async () => {
    const collector: TcpServer = createTcpServer({ allowHalfOpen: true }, (s) => {
      let n = 0
      s.on('data', (d: Buffer) => { n += d.length })
      s.on('end', () => { s.end(`got ${n}`) })
    })
    collector.listen(0, '127.0.0.1')
    await once(collector, 'listening')
    const port = (collector.address() as { port: number }).port
    connectImpl = async () => { const s = createConnection({ host: '127.0.0.1', port }); await once(s, 'connect'); return s }
    const socket = createConnection({ host: '127.0.0.1', port: socksPort, allowHalfOpen: true })
    await once(socket, 'connect')
    // Early data: sent with the request, before the reply.
    socket.write(Buffer.concat([connectRequest({ type: 'ipv6', bytes: AP }), Buffer.from('early ')]))
    assert.deepEqual(await readBytes(socket, 24), Buffer.concat([ACCEPT, encodeReply(SocksReply.succeeded)]))
    socket.end('late')
    assert.equal((await readBytes(socket, 6)).toString(), 'got 10')
    assert.ok(await closedWithin(socket, 10_000))
    collector.close()
  })

  it('back-pressure: a client that does not read pauses the stream; once it reads, every byte arrives', async () => {
    const remote = new PassThrough()
    connectImpl = async () => remote
    const socket = await socketTo(socksPort)
    socket.write(connectRequest({ type: 'ipv6', bytes: AP }))
    assert.deepEqual(await readBytes(socket, 24), Buffer.concat([ACCEPT, encodeReply(SocksReply.succeeded)]))
    // The socket is paused now (readBytes pauses it): the "network" side keeps producing.
    const hash = createHash('sha256')
    let produced = 0
    await waitFor('the relay to stop taking data from the stream', () => {
      if (remote.readableFlowing === false) return true
      const chunk = randomBytes(1024 * 1024)
      hash.update(chunk)
      produced += chunk.length
      remote.write(chunk)
      return false
    }, 30_000, 10)
    remote.end()
    const received = createHash('sha256')
    let got = 0
    socket.on('data', (d: Buffer) => { received.update(d); got += d.length })
    socket.resume()
    await waitFor('every byte', () => got === produced, 30_000, 10)
    assert.equal(received.digest('hex'), hash.digest('hex'))
    socket.destroy()
  })

  it('a client that goes away during connect aborts the connect', async () => {
    let signal: AbortSignal | undefined
    connectImpl = async (_t, options) => { signal = options.signal; return await new Promise<Duplex>(() => {}) }
    const socket = await socketTo(socksPort)
    socket.write(connectRequest({ type: 'ipv6', bytes: AP }))
    await waitFor('connect to be called', () => signal !== undefined, 10_000, 10)
    socket.destroy()
    await waitFor('the connect signal to abort', () => signal?.aborted === true, 10_000, 10)
  })
})

describe('SOCKS5 server limits', function () {
  this.timeout(30_000)
  const servers: SocksServer[] = []
  afterEach(async () => { await Promise.all(servers.splice(0).map(async s => { await s.stop() })) })

  async function started (options: Partial<ConstructorParameters<typeof SocksServer>[0]>): Promise<SocksServer> {
    const s = new SocksServer({ listen: '127.0.0.1:0', connect: async () => { throw new Error('unused') }, ...options })
    servers.push(s)
    await s.start()
    return s
  }

  it('closes a slowloris client after the handshake timeout: silently before a method, with 0x01 after', async () => {
    const s = await started({ handshakeTimeoutMs: 200 })
    const beforeMethod = await socketTo(s.address().port)
    // Trickles a greeting announcing 255 methods, one byte at a time, forever.
    beforeMethod.write(Buffer.from([5, 255]))
    const trickle = setInterval(() => { if (!beforeMethod.destroyed) beforeMethod.write(Buffer.from([1])) }, 20)
    const received: Buffer[] = []
    beforeMethod.on('data', (d: Buffer) => received.push(d))
    assert.ok(await closedWithin(beforeMethod, 10_000))
    clearInterval(trickle)
    assert.equal(Buffer.concat(received).length, 0)

    const afterMethod = await exchange(s.address().port, [Buffer.from([5, 1, 0, 5, 1, 0])], { timeoutMs: 10_000 })
    assert.ok(afterMethod.closed)
    assert.deepEqual(afterMethod.data, Buffer.concat([ACCEPT, encodeReply(SocksReply.generalFailure)]))
    await waitFor('both clients gone', () => s.clientCount === 0, 10_000, 10)
    assert.equal(s.stats.rejected, 2)
  })

  it('turns away clients beyond maxClients and serves again once they leave', async () => {
    const s = await started({ maxClients: 2, handshakeTimeoutMs: 20_000 })
    const port = s.address().port
    const a = await socketTo(port)
    const b = await socketTo(port)
    await waitFor('two clients', () => s.clientCount === 2, 10_000, 10)
    const c = await socketTo(port).catch(() => undefined)
    if (c !== undefined) assert.ok(await closedWithin(c, 10_000))
    assert.equal(s.stats.overLimit, 1)
    a.destroy()
    b.destroy()
    await waitFor('clients gone', () => s.clientCount === 0, 10_000, 10)
    const again = await exchange(port, [connectRequest(nameAddress('example.com'))])
    assert.deepEqual(again.data, Buffer.concat([ACCEPT, encodeReply(SocksReply.notAllowedByRuleset)]))
  })

  it('answers 0x04 when connect takes longer than the connect timeout, aborts it and destroys a late stream', async () => {
    let signal: AbortSignal | undefined
    let release: ((d: Duplex) => void) | undefined
    const s = await started({
      connectTimeoutMs: 100,
      connect: async (_t, options) => { signal = options.signal; return await new Promise<Duplex>(resolve => { release = resolve }) }
    })
    const r = await exchange(s.address().port, [connectRequest({ type: 'ipv6', bytes: AP })])
    assert.deepEqual(r.data, Buffer.concat([ACCEPT, encodeReply(SocksReply.hostUnreachable)]))
    assert.equal(signal?.aborted, true)
    const late = createConnection({ host: '127.0.0.1', port: s.address().port })
    await once(late, 'connect')
    release?.(late)
    await waitFor('the late stream to be destroyed', () => late.destroyed, 10_000, 10)
  })

  it('answers 0x01 and aborts the connect when a client sends more than maxEarlyDataBytes before its reply', async () => {
    let signal: AbortSignal | undefined
    const s = await started({
      maxEarlyDataBytes: 1000,
      connect: async (_t, options) => { signal = options.signal; return await new Promise<Duplex>(() => {}) }
    })
    // In the same read as the request: refused before any connect.
    const r = await exchange(s.address().port, [Buffer.concat([connectRequest({ type: 'ipv6', bytes: AP }), Buffer.alloc(1001)])])
    assert.deepEqual(r.data, Buffer.concat([ACCEPT, encodeReply(SocksReply.generalFailure)]))
    assert.ok(r.closed)
    assert.equal(signal, undefined)
    // While connect runs: the connect is aborted.
    const socket = await socketTo(s.address().port)
    socket.write(connectRequest({ type: 'ipv6', bytes: AP }))
    await waitFor('connect to be called', () => signal !== undefined, 10_000, 10)
    socket.write(Buffer.alloc(1001))
    assert.deepEqual(await readBytes(socket, 24), Buffer.concat([ACCEPT, encodeReply(SocksReply.generalFailure)]))
    assert.ok(await closedWithin(socket, 10_000))
    // (Read through a function: the assertion above narrowed `signal` to undefined.)
    const current = (): AbortSignal | undefined => signal
    assert.equal(current()?.aborted, true)
    socket.destroy()
  })

  it('stop() closes relayed connections', async () => {
    const remoteEnds: Socket[] = []
    const sink = createTcpServer((sock) => { remoteEnds.push(sock); sock.on('error', () => {}) })
    sink.listen(0, '127.0.0.1')
    await once(sink, 'listening')
    const sinkPort = (sink.address() as { port: number }).port
    const s = await started({ connect: async () => { const x = createConnection({ host: '127.0.0.1', port: sinkPort }); await once(x, 'connect'); return x } })
    const client = await socketTo(s.address().port)
    client.on('error', () => {})
    client.write(connectRequest({ type: 'ipv6', bytes: AP }))
    await readBytes(client, 24)
    await s.stop()
    assert.ok(await closedWithin(client, 10_000))
    sink.close()
    for (const r of remoteEnds) r.destroy()
  })

  it('refuses to listen on a non-loopback address unless told to, and takes only literal HOST:PORT', () => {
    const connect: PhantomConnector = async () => { throw new Error('unused') }
    assert.throws(() => new SocksServer({ connect, listen: '0.0.0.0:9080' }), /not a loopback address/)
    assert.throws(() => new SocksServer({ connect, listen: '[::]:9080' }), /not a loopback address/)
    assert.throws(() => new SocksServer({ connect, listen: '192.168.1.2:9080' }), /not a loopback address/)
    assert.doesNotThrow(() => new SocksServer({ connect, listen: '0.0.0.0:9080', allowNonLoopback: true }))
    assert.doesNotThrow(() => new SocksServer({ connect, listen: '[::1]:9080' }))
    assert.doesNotThrow(() => new SocksServer({ connect, listen: '127.8.9.10:1' }))
    for (const bad of ['localhost:9080', '127.0.0.1', '127.0.0.1:65536', '::1:9080', '[127.0.0.1]:80', '127.0.0.1:-1', ' 127.0.0.1:80']) {
      assert.throws(() => new SocksServer({ connect, listen: bad }), /invalid listen address/, bad)
    }
  })
})
