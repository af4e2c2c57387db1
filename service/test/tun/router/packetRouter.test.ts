import assert from 'node:assert/strict'
import { icmpv6Checksum } from '../../../src/tun/icmpv6Checksum.js'
import { parseIpv6Packet } from '../../../src/tun/ipv6Packet.js'
import { PacketRouter } from '../../../src/tun/router/packetRouter.js'
import { A, B, RouterPair } from '../helpers/routerPair.js'
import { ACK, addr, echoPacket, ICMPV6, SYN, tcpPacket, udpPacket } from '../helpers/routerTestPackets.js'

/** Checks an ICMPv6 message written to a host and returns its parts. */
function icmpOf (packet: Buffer): { source: string, destination: string, type: number, code: number, parameter: number, quoted: Buffer } {
  const { header, payload } = parseIpv6Packet(packet)
  assert.equal(header.nextHeader, ICMPV6)
  assert.equal(icmpv6Checksum(header.source, header.destination, payload), 0, 'ICMPv6 checksum verifies')
  assert.ok(packet.length <= 1280, 'an ICMPv6 error fits in the minimum MTU')
  return {
    source: header.source.toString('hex'),
    destination: header.destination.toString('hex'),
    type: payload[0] as number,
    code: payload[1] as number,
    parameter: payload.readUInt32BE(4),
    quoted: payload.subarray(8)
  }
}

describe('tun/router: outbound path', () => {
  let pair: RouterPair
  afterEach(() => { pair?.close() })

  it('opens a channel on demand and carries a ping there and back (the reply uses the session the peer adopted)', async () => {
    pair = new RouterPair()
    const request = echoPacket(A, B, 128, 7, 1)
    pair.a.router.handleOutbound(request)
    await pair.settle()
    assert.deepEqual(pair.a.sessions.requests, [B])
    assert.deepEqual(pair.b.host, [request], 'B answers pings by default')

    const reply = echoPacket(B, A, 129, 7, 1)
    pair.b.router.handleOutbound(reply)
    await pair.settle()
    assert.deepEqual(pair.a.host, [reply])
    assert.equal(pair.b.sessions.requests.length, 0, 'B replied over the session A opened')
    assert.equal(pair.b.router.stats.channels.adopted, 1)
    assert.equal(pair.a.router.stats.outbound.forwarded, 1)
    assert.equal(pair.a.router.stats.firewall.counters['accepted-tracked'], 1)
  })

  it('queues packets while the channel opens and sends them in order once open', async () => {
    pair = new RouterPair({ firewall: {} }, { firewall: { expose: [80] } })
    pair.a.sessions.holdOpens = true
    const packets = [1, 2, 3].map((i) => tcpPacket(A, B, 40000, 80, i === 1 ? SYN : ACK, Buffer.from([i])))
    for (const p of packets) pair.a.router.handleOutbound(p)
    assert.equal(pair.a.sessions.requests.length, 1, 'one open for the destination')
    assert.equal(pair.a.router.stats.channels.opening, 1)
    assert.equal(pair.a.router.stats.channels.queuedPackets, 3)
    pair.a.sessions.release()
    await pair.settle()
    assert.deepEqual(pair.b.host, packets)
    const stats = pair.a.router.stats
    assert.equal(stats.outbound.queued, 3)
    assert.equal(stats.outbound.forwarded, 3)
    assert.equal(stats.channels.queuedPackets, 0)
    assert.equal(stats.channels.queuedBytes, 0)
    assert.equal(stats.channels.open, 1)
  })

  it('bounds the queue per destination (packets and bytes) and over all destinations', async () => {
    pair = new RouterPair({ maxQueuedPacketsPerDestination: 3, maxQueuedBytesPerDestination: 400, maxQueuedBytes: 700 })
    pair.a.sessions.holdOpens = true
    for (let i = 0; i < 5; i++) pair.a.router.handleOutbound(udpPacket(A, B, 5000, 53, Buffer.alloc(10)))
    assert.equal(pair.a.router.stats.outbound.queueFull, 2, 'per-destination packet bound')
    const c = addr('fd50::c')
    pair.a.router.handleOutbound(udpPacket(A, c, 5000, 53, Buffer.alloc(300)))
    pair.a.router.handleOutbound(udpPacket(A, c, 5000, 53, Buffer.alloc(300)))
    assert.equal(pair.a.router.stats.outbound.queueFull, 3, 'per-destination byte bound')
    const d = addr('fd50::d')
    pair.a.router.handleOutbound(udpPacket(A, d, 5000, 53, Buffer.alloc(300)))
    assert.equal(pair.a.router.stats.outbound.queueFull, 4, 'global byte bound')
    const stats = pair.a.router.stats.channels
    assert.ok(stats.queuedBytes <= 700)
    assert.equal(stats.queuedPackets, 4)
    pair.a.router.close()
    assert.equal(pair.a.router.stats.channels.queuedBytes, 0)
    assert.ok(pair.a.sessions.pending.every((p) => p.signal.aborted), 'close aborts every open')
  })

  it('answers a failed open with Destination Unreachable (code 3) to the source, holds the verdict, then tries again', async () => {
    pair = new RouterPair({ unreachableHoldMs: 5000 })
    const c = addr('fd50::c') // no router there
    const first = udpPacket(A, c, 5000, 53)
    pair.a.router.handleOutbound(first)
    await pair.settle()
    assert.equal(pair.a.host.length, 1)
    const du = icmpOf(pair.a.host[0] as Buffer)
    assert.deepEqual([du.type, du.code], [1, 3])
    assert.equal(du.destination, A.toString('hex'))
    assert.equal(du.source, c.toString('hex'))
    assert.deepEqual(du.quoted, first, 'the whole small packet is quoted')

    pair.a.router.handleOutbound(udpPacket(A, c, 5000, 53))
    assert.equal(pair.a.host.length, 2, 'answered at once while the verdict is held')
    assert.equal(pair.a.sessions.requests.length, 1)
    pair.clock.advance(5000)
    pair.a.router.handleOutbound(udpPacket(A, c, 5000, 53))
    await pair.settle()
    assert.equal(pair.a.sessions.requests.length, 2, 'a new attempt after the hold')
    assert.equal(pair.a.router.stats.outbound.unreachable, 3)
    assert.equal(pair.a.router.stats.icmp.unreachableSent, 3)
    assert.equal(pair.a.router.stats.channels.openFailed, 2)
  })

  it('rate-limits the ICMPv6 errors it generates', async () => {
    pair = new RouterPair({ icmpBurst: 2, icmpPerSecond: 1 })
    const c = addr('fd50::c')
    for (let i = 0; i < 5; i++) pair.a.router.handleOutbound(udpPacket(A, c, 5000, 53))
    await pair.settle()
    assert.equal(pair.a.host.length, 2)
    assert.equal(pair.a.router.stats.icmp.rateLimited, 3)
    pair.clock.advance(1000)
    pair.a.router.handleOutbound(udpPacket(A, c, 5000, 53))
    assert.equal(pair.a.host.length, 3, 'the bucket refills')
  })

  it('gives up an open after openTimeoutMs (aborting channelTo) and answers Destination Unreachable', async () => {
    pair = new RouterPair({ openTimeoutMs: 20 })
    pair.a.sessions.holdOpens = true
    pair.a.router.handleOutbound(udpPacket(A, B, 5000, 53))
    const signal = pair.a.sessions.pending[0]?.signal ?? assert.fail('no open')
    await new Promise<void>((resolve) => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })
    await pair.settle()
    assert.equal(pair.a.host.length, 1)
    assert.equal(icmpOf(pair.a.host[0] as Buffer).code, 3)
  })

  it('fails an open on timeout even when channelTo never settles', async () => {
    const host: Buffer[] = []
    const router = new PacketRouter({
      sessions: { channelTo: async () => await new Promise<never>(() => {}) },
      localAddresses: [A], deliverToHost: (p) => { host.push(p) }, sweepIntervalMs: 0, openTimeoutMs: 10
    })
    router.handleOutbound(udpPacket(A, B, 1, 2))
    for (let i = 0; i < 500 && router.stats.channels.openFailed === 0; i++) await new Promise<void>((resolve) => { setTimeout(resolve, 5) })
    assert.equal(router.stats.channels.openFailed, 1)
    assert.equal(router.stats.channels.opening, 0)
    assert.equal(host.length, 1)
    router.close()
  })

  it('answers a packet larger than the channel carries with Packet Too Big giving the channel MTU', async () => {
    pair = new RouterPair({}, { firewall: { expose: [53] } })
    pair.a.sessions.maxPacket = 1400
    pair.a.router.handleOutbound(udpPacket(A, B, 5000, 53, Buffer.alloc(100)))
    await pair.settle()
    const big = udpPacket(A, B, 5000, 53, Buffer.alloc(1500))
    pair.a.router.handleOutbound(big)
    assert.equal(pair.a.host.length, 1)
    const ptb = icmpOf(pair.a.host[0] as Buffer)
    assert.deepEqual([ptb.type, ptb.code, ptb.parameter], [2, 0, 1400])
    assert.deepEqual(ptb.quoted, big.subarray(0, 1280 - 48), 'quoted up to the minimum MTU')
    assert.equal(pair.a.router.stats.outbound.tooBig, 1)
    assert.equal(pair.b.host.length, 1, 'only the small packet went through')
  })

  it('drops and counts what is not IPv6 to fd50::/16 from our own AP address, without opening anything', async () => {
    pair = new RouterPair()
    const r = pair.a.router
    r.handleOutbound(Buffer.from('450000140000000040000000', 'hex'))
    r.handleOutbound(Buffer.alloc(0))
    const truncated = udpPacket(A, B, 1, 2).subarray(0, 50)
    r.handleOutbound(truncated)
    r.handleOutbound(udpPacket(A, addr('ff02::16'), 1, 2))
    r.handleOutbound(udpPacket(A, addr('2001:db8::1'), 1, 2))
    r.handleOutbound(udpPacket(addr('fd50::99'), B, 1, 2))
    r.handleOutbound(udpPacket(addr('fe80::1'), B, 1, 2))
    r.handleOutbound(udpPacket(A, A, 1, 2))
    await pair.settle()
    const s = r.stats.outbound
    assert.deepEqual([s.notIpv6, s.malformed, s.notApDestination, s.foreignSource, s.ownDestination], [2, 1, 2, 2, 1])
    assert.equal(pair.a.sessions.requests.length, 0)
    assert.equal(pair.a.host.length, 0, 'no ICMPv6 for these')
  })

  it('bounds the destinations being opened at once', async () => {
    pair = new RouterPair({ maxOpening: 2 })
    pair.a.sessions.holdOpens = true
    for (const d of ['fd50::1', 'fd50::2', 'fd50::3']) pair.a.router.handleOutbound(udpPacket(A, addr(d), 1, 2))
    assert.equal(pair.a.sessions.requests.length, 2)
    assert.equal(pair.a.router.stats.outbound.openingLimit, 1)
    pair.a.sessions.fail()
    await pair.settle()
    pair.a.router.handleOutbound(udpPacket(A, addr('fd50::3'), 1, 2))
    assert.equal(pair.a.sessions.requests.length, 3, 'room again once an open ended')
  })

  it('forgets idle channels after the timeout and reopens on the next packet; channel.closed and channelClosed() forget too', async () => {
    pair = new RouterPair({ idleChannelMs: 60_000 })
    pair.a.router.handleOutbound(udpPacket(A, B, 1, 2))
    await pair.settle()
    pair.clock.advance(59_999)
    pair.a.router.sweep()
    assert.equal(pair.a.router.stats.channels.open, 1)
    pair.clock.advance(1)
    pair.a.router.sweep()
    assert.equal(pair.a.router.stats.channels.open, 0)
    assert.equal(pair.a.router.stats.channels.forgottenIdle, 1)
    pair.a.router.handleOutbound(udpPacket(A, B, 1, 2))
    await pair.settle()
    assert.equal(pair.a.sessions.requests.length, 2)

    pair.a.sessions.opened[1]?.close()
    pair.a.router.handleOutbound(udpPacket(A, B, 1, 2))
    await pair.settle()
    assert.equal(pair.a.sessions.requests.length, 3, 'a closed channel is replaced')
    pair.a.router.channelClosed(pair.a.sessions.opened[2] ?? assert.fail())
    assert.equal(pair.a.router.stats.channels.forgottenClosed, 2)
    assert.equal(pair.a.router.stats.channels.open, 0)
  })

  it('takes over a session the peer opened while our own open is still pending: flushes the queue, aborts the open', async () => {
    pair = new RouterPair({}, {})
    pair.a.sessions.holdOpens = true
    const queued = echoPacket(A, B, 128, 3, 1)
    pair.a.router.handleOutbound(queued)
    const ours = pair.a.sessions.pending[0] ?? assert.fail('no open')
    // B opens a session to A and pings; A's router adopts it for its replies and queued packets.
    pair.b.router.handleOutbound(echoPacket(B, A, 128, 4, 1))
    await pair.settle()
    assert.equal(ours.signal.aborted, true)
    assert.deepEqual(pair.b.host, [queued], 'the packet queued at A went over the adopted session')
    assert.equal(pair.a.router.stats.channels.adopted, 1)
    assert.equal(pair.a.router.stats.channels.open, 1)
    assert.equal(pair.a.router.stats.channels.queuedPackets, 0)
  })

  it('treats a channel for another address than asked as a failed open', async () => {
    const c = addr('fd50::c')
    const wrong = { peerAp: B, maxPacket: 65000, send: () => true }
    const host: Buffer[] = []
    const router = new PacketRouter({
      sessions: { channelTo: async () => wrong }, localAddresses: [A], deliverToHost: (p) => { host.push(p) }, sweepIntervalMs: 0
    })
    router.handleOutbound(udpPacket(A, c, 1, 2))
    await new Promise<void>((resolve) => { setImmediate(resolve) })
    assert.equal(router.stats.channels.openMismatch, 1)
    assert.equal(host.length, 1, 'Destination Unreachable')
    router.close()
  })

  it('gives stats that survive JSON as they are (for status --json)', async () => {
    pair = new RouterPair()
    pair.a.router.handleOutbound(echoPacket(A, B, 128, 1, 1))
    await pair.settle()
    const stats = pair.a.router.stats
    assert.deepEqual(JSON.parse(JSON.stringify(stats)), stats)
    assert.equal(stats.outbound.forwarded, 1)
  })

  it('counts a congested channel', async () => {
    pair = new RouterPair()
    pair.a.router.handleOutbound(udpPacket(A, B, 1, 2))
    await pair.settle()
    const channel = pair.a.sessions.opened[0] ?? assert.fail()
    channel.congested = true
    pair.a.router.handleOutbound(udpPacket(A, B, 1, 2))
    assert.equal(pair.a.router.stats.outbound.channelDropped, 1)
  })

  it('rejects local addresses outside fd50::/16 and counts packets after close', () => {
    const network = { channelTo: async (): Promise<never> => { throw new Error('x') } }
    assert.throws(() => new PacketRouter({ sessions: network, localAddresses: [addr('2001:db8::1')], deliverToHost: () => {} }), RangeError)
    const router = new PacketRouter({ sessions: network, localAddresses: [A], deliverToHost: () => {} })
    router.close()
    router.handleOutbound(udpPacket(A, B, 1, 2))
    assert.equal(router.stats.outbound.afterClose, 1)
  })
})

describe('tun/router: inbound path', () => {
  let pair: RouterPair
  afterEach(() => { pair?.close() })

  it('drops silently a packet whose source is not the session peer, or whose destination is not ours', async () => {
    pair = new RouterPair({}, { firewall: { expose: [80] } })
    pair.a.router.handleOutbound(tcpPacket(A, B, 40000, 80, SYN))
    await pair.settle()
    const channel = pair.a.sessions.opened[0] ?? assert.fail()
    // A's end sends packets claiming another source, and to an address B does not hold.
    channel.send(tcpPacket(addr('fd50::666'), B, 40000, 80, SYN))
    channel.send(tcpPacket(A, addr('fd50::bbbb'), 40000, 80, SYN))
    channel.send(Buffer.from('not a packet'))
    await pair.settle()
    assert.equal(pair.b.host.length, 1, 'only the genuine packet arrived')
    const s = pair.b.router.stats.inbound
    assert.deepEqual([s.forgedSource, s.notOurDestination, s.malformed, s.delivered], [1, 1, 1, 1])
    assert.equal(pair.b.router.stats.icmp.prohibitedSent + pair.b.router.stats.icmp.unreachableSent, 0)
    assert.equal((pair.b.sessions.opened.length), 0)
  })

  it('counts a host write that throws', async () => {
    pair = new RouterPair()
    const network = pair.network
    const router = new PacketRouter({
      sessions: pair.b.sessions, localAddresses: [B], deliverToHost: () => { throw new Error('EINVAL') }, sweepIntervalMs: 0
    })
    network.register(B, router)
    pair.a.router.handleOutbound(echoPacket(A, B, 128, 1, 1))
    await pair.settle()
    assert.equal(router.stats.inbound.hostWriteFailed, 1)
    router.close()
  })
})
