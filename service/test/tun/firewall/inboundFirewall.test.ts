import assert from 'node:assert/strict'
import { parseIpv6Packet } from '../../../src/tun/ipv6Packet.js'
import { A, B, RouterPair } from '../helpers/routerPair.js'
import {
  ACK, addr, asFragment, echoPacket, FIN, icmpErrorPacket, RST, SYN, tcpPacket, udpPacket, withExtensionHeaders
} from '../helpers/routerTestPackets.js'

/** Sends from B's host towards A over the session (B's router adopts A's session on the first packet A sent). */
async function connect (pair: RouterPair): Promise<void> {
  pair.a.router.handleOutbound(echoPacket(A, B, 128, 1, 1))
  await pair.settle()
}

describe('tun/firewall: the inbound firewall between two routers', () => {
  let pair: RouterPair
  afterEach(() => { pair?.close() })

  it('refuses a new TCP connection or UDP flow to a port that is not exposed, silently by default', async () => {
    pair = new RouterPair()
    await connect(pair)
    pair.b.host.length = 0
    pair.a.router.handleOutbound(tcpPacket(A, B, 40000, 22, SYN))
    pair.a.router.handleOutbound(udpPacket(A, B, 40000, 53))
    await pair.settle()
    assert.deepEqual(pair.b.host, [])
    const counters = pair.b.router.stats.firewall.counters
    assert.equal(counters['dropped-refused-tcp'], 1)
    assert.equal(counters['dropped-refused-udp'], 1)
    assert.equal(pair.b.router.stats.icmp.prohibitedSent, 0)
    assert.deepEqual(pair.a.host.filter((p) => p[6] === 58 && p[40] === 1), [], 'nothing comes back')
  })

  it("with refuse: 'prohibited' answers a refused SYN with Destination Unreachable code 1, which A lets in as related", async () => {
    pair = new RouterPair({}, { firewall: { refuse: 'prohibited' } })
    await connect(pair)
    pair.a.host.length = 0
    const syn = tcpPacket(A, B, 40000, 22, SYN)
    pair.a.router.handleOutbound(syn)
    await pair.settle()
    assert.equal(pair.b.router.stats.icmp.prohibitedSent, 1)
    assert.equal(pair.a.host.length, 1)
    const { header, payload } = parseIpv6Packet(pair.a.host[0] as Buffer)
    assert.deepEqual([header.source, header.destination], [B, A])
    assert.deepEqual([payload[0], payload[1]], [1, 1])
    assert.deepEqual(payload.subarray(8), syn)
    assert.equal(pair.a.router.stats.firewall.counters['accepted-related-error'], 1)
  })

  it('accepts new connections to exposed TCP and UDP ports, and the flow works both ways', async () => {
    pair = new RouterPair({}, { firewall: { expose: [80, 53] } })
    const syn = tcpPacket(A, B, 40000, 80, SYN)
    pair.a.router.handleOutbound(syn)
    await pair.settle()
    assert.deepEqual(pair.b.host, [syn])
    const synAck = tcpPacket(B, A, 80, 40000, SYN | ACK)
    pair.b.router.handleOutbound(synAck)
    await pair.settle()
    assert.deepEqual(pair.a.host, [synAck], 'the reply belongs to the flow A started')
    const data = tcpPacket(A, B, 40000, 80, ACK, Buffer.from('GET /'))
    pair.a.router.handleOutbound(data)
    const query = udpPacket(A, B, 5353, 53)
    pair.a.router.handleOutbound(query)
    await pair.settle()
    assert.deepEqual(pair.b.host, [syn, data, query])
    const answer = udpPacket(B, A, 53, 5353)
    pair.b.router.handleOutbound(answer)
    await pair.settle()
    assert.deepEqual(pair.a.host, [synAck, answer])
    assert.equal(pair.b.router.stats.firewall.trackedFlows, 0, 'flows of exposed ports are not tracked on the server side')
    assert.equal(pair.a.router.stats.firewall.trackedFlows, 2, 'the client side tracks its TCP and UDP flows')
  })

  it('lets flows A started out of B back in, and nothing else to the same port', async () => {
    pair = new RouterPair({}, { firewall: { expose: [80] } })
    pair.a.router.handleOutbound(tcpPacket(A, B, 40000, 80, SYN))
    await pair.settle()
    // B tries to reach A's ephemeral port from another port: not the flow.
    pair.b.router.handleOutbound(tcpPacket(B, A, 81, 40000, SYN))
    // An RST on the real flow is let in and ends it.
    pair.b.router.handleOutbound(tcpPacket(B, A, 80, 40000, RST))
    await pair.settle()
    assert.equal(pair.a.host.length, 1)
    assert.equal(pair.a.router.stats.firewall.counters['dropped-refused-tcp'], 1)
    pair.clock.advance(30_000)
    pair.b.router.handleOutbound(tcpPacket(B, A, 80, 40000, ACK))
    await pair.settle()
    assert.equal(pair.a.host.length, 1, 'after RST the flow closes once tcpClosingMs passed')
  })

  it('tracks TCP through FIN in both directions to the closing timeout', async () => {
    pair = new RouterPair({ firewall: { timeouts: { tcpClosingMs: 1000 } } }, { firewall: { expose: [80] } })
    pair.a.router.handleOutbound(tcpPacket(A, B, 40000, 80, SYN))
    await pair.settle()
    pair.b.router.handleOutbound(tcpPacket(B, A, 80, 40000, SYN | ACK))
    pair.a.router.handleOutbound(tcpPacket(A, B, 40000, 80, FIN | ACK))
    await pair.settle()
    pair.b.router.handleOutbound(tcpPacket(B, A, 80, 40000, FIN | ACK))
    await pair.settle()
    pair.clock.advance(999)
    pair.b.router.handleOutbound(tcpPacket(B, A, 80, 40000, ACK))
    await pair.settle()
    assert.equal(pair.a.host.length, 3)
    pair.clock.advance(1000)
    pair.b.router.handleOutbound(tcpPacket(B, A, 80, 40000, ACK))
    await pair.settle()
    assert.equal(pair.a.host.length, 3)
  })

  it('answers pings by default, not with answerPing: false; echo replies need a request of ours', async () => {
    pair = new RouterPair({ firewall: { answerPing: false } }, {})
    const request = echoPacket(A, B, 128, 9, 1)
    pair.a.router.handleOutbound(request)
    await pair.settle()
    assert.deepEqual(pair.b.host, [request], 'B (default) passes the request to its host')
    pair.b.router.handleOutbound(echoPacket(B, A, 128, 3, 1))
    pair.b.router.handleOutbound(echoPacket(B, A, 129, 10, 1))
    pair.b.router.handleOutbound(echoPacket(B, A, 129, 9, 1))
    await pair.settle()
    assert.equal(pair.a.host.length, 1, 'only the reply to our own identifier')
    const counters = pair.a.router.stats.firewall.counters
    assert.deepEqual([counters['dropped-ping-disabled'], counters['dropped-untracked-echo-reply'], counters['accepted-tracked']], [1, 1, 1])
    pair.clock.advance(30_000)
    pair.b.router.handleOutbound(echoPacket(B, A, 129, 9, 2))
    await pair.settle()
    assert.equal(pair.a.host.length, 1, 'the echo flow expires after echoMs')
  })

  it('lets ICMPv6 errors in only when they quote a packet of one of our flows, between the same two addresses', async () => {
    pair = new RouterPair({ firewall: { expose: [8080] } })
    const ours = tcpPacket(A, B, 40000, 443, SYN)
    pair.a.router.handleOutbound(ours)
    pair.a.router.handleOutbound(echoPacket(A, B, 128, 5, 1))
    await pair.settle()
    const send = (p: Buffer): void => { pair.b.router.handleOutbound(p) }
    send(icmpErrorPacket(B, A, 2, 0, 1400, ours))                                    // PTB about our flow: in
    send(icmpErrorPacket(B, A, 1, 4, 0, echoPacket(A, B, 128, 5, 1)))                // about our ping: in
    send(icmpErrorPacket(B, A, 3, 0, 0, ours.subarray(0, 48)))                       // truncated quote, ports present: in
    send(icmpErrorPacket(B, A, 1, 4, 0, tcpPacket(A, B, 40001, 443, SYN)))           // other flow: out
    send(icmpErrorPacket(B, A, 1, 4, 0, tcpPacket(A, addr('fd50::c'), 40000, 443, SYN))) // other peer: out
    send(icmpErrorPacket(B, A, 1, 4, 0, ours.subarray(0, 42)))                       // ports not quoted: out
    send(icmpErrorPacket(B, A, 1, 4, 0, tcpPacket(A, B, 8080, 5555, ACK)))           // reply of our exposed service: in
    send(icmpErrorPacket(B, A, 1, 4, 0, echoPacket(A, B, 128, 6, 1)))               // ping we did not send: out
    send(icmpErrorPacket(B, A, 137, 0, 0, ours))                                      // redirect: out
    send(icmpErrorPacket(B, A, 5, 0, 0, ours))                                        // unknown error type: out
    await pair.settle()
    const counters = pair.a.router.stats.firewall.counters
    assert.equal(counters['accepted-related-error'], 4)
    assert.equal(counters['dropped-untracked-error'], 4)
    assert.equal(counters['dropped-icmp-type'], 2)
    assert.equal(pair.a.host.length, 4)
  })

  it('walks extension headers to find the ports', async () => {
    pair = new RouterPair({}, { firewall: { expose: [80] } })
    await connect(pair)
    pair.b.host.length = 0
    const withHeaders = withExtensionHeaders(tcpPacket(A, B, 40000, 80, SYN))
    pair.a.router.handleOutbound(withHeaders)
    pair.a.router.handleOutbound(withExtensionHeaders(tcpPacket(A, B, 40000, 22, SYN)))
    await pair.settle()
    assert.deepEqual(pair.b.host, [withHeaders])
    assert.equal(pair.b.router.stats.firewall.counters['dropped-refused-tcp'], 1)
  })

  it('judges a fragmented packet by its first fragment; later fragments follow that verdict, for a bounded time', async () => {
    pair = new RouterPair({}, { firewall: { expose: [80], timeouts: { fragmentMs: 5000 } } })
    await connect(pair)
    pair.b.host.length = 0
    const datagram = (port: number): Buffer => udpPacket(A, B, 1, port, Buffer.alloc(64))
    const exposedFirst = asFragment(datagram(80), 0, true, 1)
    const exposedLater = asFragment(datagram(80), 64, false, 1)
    pair.a.router.handleOutbound(exposedFirst)
    pair.a.router.handleOutbound(exposedLater)
    pair.a.router.handleOutbound(asFragment(datagram(81), 0, true, 2))
    pair.a.router.handleOutbound(asFragment(datagram(81), 64, false, 2))
    pair.a.router.handleOutbound(asFragment(datagram(80), 64, false, 3)) // no first fragment seen
    await pair.settle()
    assert.deepEqual(pair.b.host, [exposedFirst, exposedLater])
    const counters = pair.b.router.stats.firewall.counters
    assert.equal(counters['accepted-fragment'], 1)
    assert.equal(counters['dropped-fragment'], 2)
    assert.equal(counters['dropped-refused-udp'], 1)
    pair.clock.advance(5000)
    pair.a.router.handleOutbound(asFragment(datagram(80), 128, false, 1))
    await pair.settle()
    assert.equal(pair.b.host.length, 2, 'the verdict is forgotten after fragmentMs')
    assert.equal(pair.a.router.stats.outbound.forwarded, 7, 'outbound fragments pass')
  })

  it('drops other protocols inbound', async () => {
    pair = new RouterPair()
    await connect(pair)
    const sctp = Buffer.from(tcpPacket(A, B, 1, 2, SYN))
    sctp[6] = 132
    pair.a.router.handleOutbound(sctp)
    await pair.settle()
    assert.equal(pair.b.router.stats.firewall.counters['dropped-protocol'], 1)
  })

  it('bounds the connection table (least recently used flow goes first) and expires flows by protocol timeouts', async () => {
    pair = new RouterPair({ firewall: { maxFlows: 4, timeouts: { udpUnrepliedMs: 10_000, udpRepliedMs: 50_000 } } })
    for (let port = 1000; port < 1010; port++) pair.a.router.handleOutbound(udpPacket(A, B, port, 53))
    await pair.settle()
    let fw = pair.a.router.stats.firewall
    assert.equal(fw.trackedFlows, 4)
    assert.equal(fw.flowsEvicted, 6)
    pair.b.router.handleOutbound(udpPacket(B, A, 53, 1000))
    pair.b.router.handleOutbound(udpPacket(B, A, 53, 1009))
    await pair.settle()
    assert.equal(pair.a.host.length, 1, 'the evicted flow is refused, the kept one let in')
    pair.clock.advance(10_000)
    pair.a.router.sweep()
    fw = pair.a.router.stats.firewall
    assert.equal(fw.trackedFlows, 1, 'unreplied flows expired; the replied one lives on')
    pair.clock.advance(39_000)
    pair.b.router.handleOutbound(udpPacket(B, A, 53, 1009))
    await pair.settle()
    assert.equal(pair.a.host.length, 2)
    pair.clock.advance(50_000)
    pair.b.router.handleOutbound(udpPacket(B, A, 53, 1009))
    await pair.settle()
    assert.equal(pair.a.host.length, 2, 'replied UDP flow expires after udpRepliedMs')
  })
})
