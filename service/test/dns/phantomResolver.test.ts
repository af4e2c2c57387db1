import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Socket as UdpSocket, createSocket } from 'node:dgram'
import { once } from 'node:events'
import { Socket as TcpSocket } from 'node:net'
import fc from 'fast-check'
import { deriveApAddress, formatApAddress } from '../../src/netdb/apAddress.js'
import { phantomNameFromRoutingKey } from '../../src/netdb/phantomName.js'
import { DnsClass, DnsRcode, DnsType } from '../../src/dns/dnsConstants.js'
import { encodeDnsQuery } from '../../src/dns/dnsMessage.js'
import { dnsLabelsFromText } from '../../src/dns/dnsName.js'
import { parseHostsFile } from '../../src/dns/hostsFile.js'
import { PhantomResolver } from '../../src/dns/phantomResolver.js'
import { runCommand } from '../harness/runCommand.js'
import { waitFor } from '../harness/waitFor.js'
import { readResponse } from './dnsResponseReader.js'

const KEY = randomBytes(32)
const NAME = phantomNameFromRoutingKey(KEY)
const AP = deriveApAddress(KEY)
const PET_AP = deriveApAddress(randomBytes(32))

async function dig (port: number, args: string[]): Promise<{ code: number | null, stdout: string }> {
  const r = await runCommand('dig', ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=5', ...args], 30_000)
  return { code: r.code, stdout: r.stdout }
}
const statusOf = (digOutput: string): string | undefined => /status: ([A-Z]+)/.exec(digOutput)?.[1]

function aaaaQuery (name: string, id = 7): Buffer {
  return encodeDnsQuery({ id, opcode: 0, recursionDesired: true, checkingDisabled: false, question: { labels: dnsLabelsFromText(name), type: DnsType.AAAA, class: DnsClass.IN } })
}

/** A UDP client that collects every datagram it receives. */
async function udpClient (): Promise<{ socket: UdpSocket, received: Buffer[] }> {
  const socket = createSocket('udp4')
  const received: Buffer[] = []
  socket.on('message', (m: Buffer) => received.push(m))
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  return { socket, received }
}

describe('PhantomResolver (UDP and TCP, against dig)', function () {
  this.timeout(60_000)
  let resolver: PhantomResolver
  let port: number

  before(async () => {
    resolver = new PhantomResolver({ listen: '127.0.0.1:0', petnames: parseHostsFile(`${formatApAddress(PET_AP)} shop.phantom\n`, 'hosts') })
    await resolver.start()
    port = resolver.address().port
  })
  after(async () => { await resolver.stop() })

  it('answers AAAA for a .phantom name with the derived address, over UDP and TCP', async () => {
    const udp = await dig(port, ['+short', NAME, 'AAAA'])
    assert.equal(udp.code, 0)
    assert.equal(udp.stdout.trim(), formatApAddress(AP))
    const tcp = await dig(port, ['+tcp', '+short', NAME.toUpperCase(), 'AAAA'])
    assert.equal(tcp.stdout.trim(), formatApAddress(AP))
    const full = await dig(port, [NAME, 'AAAA'])
    assert.equal(statusOf(full.stdout), 'NOERROR')
    assert.match(full.stdout, /flags: qr aa rd;/)
    assert.match(full.stdout, new RegExp(`${NAME}\\.\\s+300\\s+IN\\s+AAAA\\s+${formatApAddress(AP)}`))
  })

  it('answers a petname; A → NODATA; unknown .phantom → NXDOMAIN; example.com → REFUSED', async () => {
    assert.equal((await dig(port, ['+short', 'shop.phantom', 'AAAA'])).stdout.trim(), formatApAddress(PET_AP))
    const a = await dig(port, [NAME, 'A'])
    assert.equal(statusOf(a.stdout), 'NOERROR')
    assert.match(a.stdout, /ANSWER: 0,/)
    assert.equal(statusOf((await dig(port, ['nobody.phantom', 'AAAA'])).stdout), 'NXDOMAIN')
    assert.equal(statusOf((await dig(port, ['example.com', 'AAAA'])).stdout), 'REFUSED')
    assert.equal(statusOf((await dig(port, ['+tcp', 'example.com', 'A'])).stdout), 'REFUSED')
  })

  it('reloaded petnames take effect', async () => {
    resolver.setPetnames(parseHostsFile(`${formatApAddress(AP)} moved.phantom\n`, 'hosts'))
    assert.equal((await dig(port, ['+short', 'moved.phantom', 'AAAA'])).stdout.trim(), formatApAddress(AP))
    assert.equal(statusOf((await dig(port, ['shop.phantom', 'AAAA'])).stdout), 'NXDOMAIN')
    resolver.setPetnames(parseHostsFile(`${formatApAddress(PET_AP)} shop.phantom\n`, 'hosts'))
  })

  it('malformed datagrams get FORMERR or nothing, never a crash; random datagrams too; it keeps serving', async () => {
    const { socket, received } = await udpClient()
    const good = aaaaQuery(NAME, 0x4242)
    const formerrBefore = resolver.stats.formerr
    // A self-pointing compressed name: FORMERR, no loop.
    socket.send(Buffer.concat([good.subarray(0, 12), Buffer.from([0xc0, 12, 0, 28, 0, 1])]), port, '127.0.0.1')
    await waitFor('a FORMERR answer', () => received.length === 1, 10_000, 10)
    const formerr = readResponse(received[0] as Buffer)
    assert.deepEqual([formerr.id, formerr.rcode], [0x4242, DnsRcode.formErr])
    assert.equal(resolver.stats.formerr, formerrBefore + 1)
    // A response and a runt: never answered.
    const dropsBefore = resolver.stats.dropped
    const response = Buffer.from(good)
    response[2] = (response[2] as number) | 0x80
    socket.send(response, port, '127.0.0.1')
    socket.send(Buffer.from([1, 2, 3]), port, '127.0.0.1')
    await waitFor('both dropped', () => resolver.stats.dropped === dropsBefore + 2, 10_000, 10)
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 1500 }), async (bytes) => {
      socket.send(bytes, port, '127.0.0.1')
    }), { numRuns: 300 })
    received.length = 0
    // UDP may drop under the burst: ask again each poll, as a stub resolver retries.
    await waitFor('the good answer after the fuzz', () => {
      if (received.some(m => m.readUInt16BE(0) === 0x4242 && readResponse(m).answers.length === 1)) return true
      socket.send(good, port, '127.0.0.1')
      return false
    }, 10_000, 50)
    socket.close()
    assert.equal((await dig(port, ['+short', NAME, 'AAAA'])).stdout.trim(), formatApAddress(AP))
  })

  it('TCP: pipelined queries are answered in order; a bad length closes only that connection', async () => {
    const frame = (m: Buffer): Buffer => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m])
    const client = new TcpSocket()
    client.connect(port, '127.0.0.1')
    await once(client, 'connect')
    let data = Buffer.alloc(0)
    client.on('data', (d: Buffer) => { data = Buffer.concat([data, d]) })
    // Sent one byte at a time.
    for (const b of Buffer.concat([frame(aaaaQuery(NAME, 1)), frame(aaaaQuery('example.com', 2))])) client.write(Buffer.from([b]))
    await waitFor('two answers', () => data.length >= 4 && data.length >= 2 + data.readUInt16BE(0) + 2, 10_000, 10)
    const first = readResponse(data.subarray(2, 2 + data.readUInt16BE(0)))
    const rest = data.subarray(2 + data.readUInt16BE(0))
    const second = readResponse(rest.subarray(2, 2 + rest.readUInt16BE(0)))
    assert.deepEqual([first.id, first.answers.length, second.id, second.rcode], [1, 1, 2, DnsRcode.refused])
    client.write(Buffer.from([0xff, 0xff]))
    await waitFor('the connection closed', () => client.readableEnded || client.destroyed, 10_000, 10)
    client.destroy()
    assert.equal((await dig(port, ['+tcp', '+short', NAME, 'AAAA'])).stdout.trim(), formatApAddress(AP))
  })

  it('never forwards: every datagram the resolver sends goes back to the querying client, and it opens no connection', async () => {
    // Instrumentation: while this test runs, every send on every UDP socket and
    // every TCP connect in this process is recorded. The resolver has no other
    // way to reach the network (it creates no socket after start).
    const sends: Array<{ port: number, address: string }> = []
    const connects: unknown[] = []
    const originalSend = UdpSocket.prototype.send
    const originalConnect = TcpSocket.prototype.connect
    UdpSocket.prototype.send = function (this: UdpSocket, ...args: unknown[]) {
      if (typeof args[1] === 'number' && typeof args[2] === 'string') sends.push({ port: args[1], address: args[2] })
      else sends.push({ port: -1, address: JSON.stringify(args.slice(1, 3)) })
      return (originalSend as (...a: unknown[]) => void).apply(this, args)
    } as typeof UdpSocket.prototype.send
    TcpSocket.prototype.connect = function (this: TcpSocket, ...args: unknown[]) {
      connects.push(args[0])
      return (originalConnect as (...a: unknown[]) => TcpSocket).apply(this, args)
    } as typeof TcpSocket.prototype.connect
    try {
      const { socket, received } = await udpClient()
      const clientPort = socket.address().port
      const names = [NAME, 'shop.phantom', 'example.com', 'www.google.com', 'nobody.phantom', 'phantom', 'com', 'in-addr.arpa']
      names.forEach((name, i) => { socket.send(aaaaQuery(name, 100 + i), port, '127.0.0.1') })
      await waitFor('every query answered', () => received.length === names.length, 10_000, 10)
      socket.close()
      // dig's queries (another process): their answers go to 127.0.0.1 too.
      for (const name of ['example.com', 'debian.org', NAME]) await dig(port, [name, 'AAAA'])
      const fromResolver = sends.filter(s => !(s.port === port && s.address === '127.0.0.1'))
      assert.equal(fromResolver.length, names.length + 3)
      assert.ok(fromResolver.slice(0, names.length).every(s => s.port === clientPort && s.address === '127.0.0.1'), JSON.stringify(fromResolver))
      assert.ok(fromResolver.every(s => s.address === '127.0.0.1'), JSON.stringify(fromResolver))
      assert.deepEqual(connects, [])
    } finally {
      UdpSocket.prototype.send = originalSend
      TcpSocket.prototype.connect = originalConnect
    }
  })

  it('TCP: idle connections are closed, and clients beyond the limit are turned away', async () => {
    const small = new PhantomResolver({ listen: '127.0.0.1:0', maxTcpClients: 1, tcpIdleTimeoutMs: 200 })
    await small.start()
    try {
      const first = new TcpSocket()
      first.on('error', () => {})
      first.connect(small.address().port, '127.0.0.1')
      await once(first, 'connect')
      await waitFor('the first client to be served', async () => {
        const second = new TcpSocket()
        second.on('error', () => {})
        second.connect(small.address().port, '127.0.0.1')
        await once(second, 'close')
        return small.stats.tcpOverLimit >= 1
      }, 10_000, 10)
      first.resume()
      await waitFor('the idle client to be closed', () => first.readableEnded || first.destroyed, 10_000, 10)
      first.destroy()
    } finally {
      await small.stop()
    }
  })

  it('refuses to listen on a non-loopback address unless told to', () => {
    assert.throws(() => new PhantomResolver({ listen: '0.0.0.0:53' }), /not a loopback address/)
    assert.throws(() => new PhantomResolver({ listen: '[::]:53' }), /not a loopback address/)
    assert.doesNotThrow(() => new PhantomResolver({ listen: '0.0.0.0:53', allowNonLoopback: true }))
    assert.doesNotThrow(() => new PhantomResolver())
  })
})
