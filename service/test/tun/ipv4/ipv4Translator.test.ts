import assert from 'node:assert/strict'
import { Ipv4AddressMap } from '../../../src/tun/ipv4/ipv4AddressMap.js'
import { parseIpv4Prefix } from '../../../src/tun/ipv4/ipv4Prefix.js'
import { type ListenerLookup } from '../../../src/tun/ipv4/hostListeners.js'
import { Ipv4Translator } from '../../../src/tun/ipv4/ipv4Translator.js'
import { parseIpv4Packet, parseQuotedIpv4Packet } from '../../../src/tun/ipv4/ipv4Packet.js'
import { buildIcmpv6Error } from '../../../src/tun/packets/icmpv6Messages.js'
import { parseIpv6Packet } from '../../../src/tun/ipv6Packet.js'
import { ManualClock } from '../helpers/routerPair.js'
import { addr, echoPacket, tcpPacket, udpPacket } from '../helpers/routerTestPackets.js'
import { echo4, ipv4ChecksumsValid, tcp4, udp4, v4, withChecksum6 } from '../helpers/ipv4TestPackets.js'

const OWN_AP = addr('fd50::a')
const PEER_AP = addr('fd50::b')
const OWN4 = v4('100.64.0.1')

function setup (listeners?: ListenerLookup): { translator: Ipv4Translator, map: Ipv4AddressMap, router: Buffer[], host: Buffer[], peer4: number, clock: ManualClock } {
  const clock = new ManualClock()
  const map = new Ipv4AddressMap({ prefix: parseIpv4Prefix('100.64.0.0/10'), now: clock.now })
  const router: Buffer[] = []
  const host: Buffer[] = []
  const translator = new Ipv4Translator({ map, ownAp: OWN_AP, toRouter: (p) => { router.push(p) }, toHost: (p) => { host.push(p) }, icmpPerSecond: 2, now: clock.now, ...(listeners !== undefined ? { listeners } : {}) })
  const peer4 = map.addressFor(PEER_AP)!
  return { translator, map, router, host, peer4, clock }
}

describe('tun/ipv4: the translator between the TUN device and the packet router', () => {
  it('passes IPv6 from the host to the router and IPv6 from the router to the host untouched while no IPv4 flow exists', () => {
    const { translator, router, host } = setup()
    const out = tcpPacket(OWN_AP, PEER_AP, 1000, 80, 0x02)
    const back = tcpPacket(PEER_AP, OWN_AP, 80, 1000, 0x12)
    translator.handleOutboundBatch([out])
    translator.deliverToHost(back)
    assert.equal(router[0], out)
    assert.equal(host[0], back)
  })

  it('an IPv4 TCP flow: out as IPv6 from our AP address, its answers back as IPv4; an IPv6 program\'s flow to the same peer stays IPv6', () => {
    const { translator, router, host, peer4 } = setup()
    translator.handleOutboundBatch([tcp4(OWN4, peer4, 40000, 8080)])
    const sent = parseIpv6Packet(router[0]!)
    assert.ok(sent.header.source.equals(OWN_AP) && sent.header.destination.equals(PEER_AP))
    translator.deliverToHost(tcpPacket(PEER_AP, OWN_AP, 8080, 40000, 0x12))
    const answer = parseIpv4Packet(host[0]!)
    assert.deepEqual([answer.source, answer.destination, host[0]!.readUInt16BE(20), host[0]!.readUInt16BE(22)], [peer4, OWN4, 8080, 40000])
    const six = tcpPacket(PEER_AP, OWN_AP, 8080, 40001, 0x12)
    translator.deliverToHost(six)
    assert.equal(host[1], six, 'another port: an IPv6 flow')
    assert.deepEqual([translator.stats.outbound.translated, translator.stats.inbound.translated, translator.stats.flows], [1, 1, 1])
  })

  it('ping over IPv4: the echo request goes out as ICMPv6, the reply with that identifier comes back as ICMP', () => {
    const { translator, router, host, peer4 } = setup()
    translator.handleOutboundBatch([echo4(OWN4, peer4, 8, 77, 1)])
    assert.equal(parseIpv6Packet(router[0]!).payload[0], 128)
    translator.deliverToHost(echoPacket(PEER_AP, OWN_AP, 129, 77, 1))
    translator.deliverToHost(echoPacket(PEER_AP, OWN_AP, 129, 78, 1))
    assert.equal(host[0]![0]! >> 4, 4)
    assert.deepEqual([host[0]![20], host[0]!.readUInt16BE(24)], [0, 77])
    assert.ok(ipv4ChecksumsValid(host[0]!))
    assert.equal(host[1]![0]! >> 4, 6, 'an identifier never sent over IPv4 stays IPv6')
  })

  it('the router\'s Packet Too Big about a translated packet reaches the IPv4 program as fragmentation needed', () => {
    const { translator, router, host, peer4 } = setup()
    translator.handleOutboundBatch([udp4(OWN4, peer4, 5000, 6000, Buffer.alloc(1500))])
    translator.deliverToHost(buildIcmpv6Error(PEER_AP, OWN_AP, 2, 0, 1400, router[0]!))
    assert.deepEqual([host[0]![20], host[0]![21], host[0]!.readUInt16BE(26)], [3, 4, 1380])
    const quoted = parseQuotedIpv4Packet(host[0]!.subarray(28))
    assert.deepEqual([quoted.source, quoted.destination], [OWN4, peer4])
  })

  it('an address of the prefix that no AP address has: ICMP host unreachable from that address, rate limited; others are dropped and counted', () => {
    const { translator, router, host, clock } = setup()
    const nobody = v4('100.64.5.5')
    translator.handleOutboundBatch([udp4(OWN4, nobody, 1, 2), udp4(OWN4, nobody, 1, 2), udp4(OWN4, nobody, 1, 2)])
    assert.equal(router.length, 0)
    assert.equal(host.length, 2, 'a burst of 2')
    const reply = parseIpv4Packet(host[0]!)
    assert.deepEqual([reply.source, reply.destination, host[0]![20], host[0]![21]], [nobody, OWN4, 3, 1])
    assert.ok(ipv4ChecksumsValid(host[0]!))
    clock.advance(1000)
    translator.handleOutboundBatch([
      udp4(v4('10.1.1.1'), v4('100.64.0.2'), 1, 2), // not our source
      udp4(OWN4, v4('224.0.0.22'), 1, 2), // multicast
      udp4(OWN4, v4('100.127.255.255'), 1, 2), // the prefix's broadcast address
      Buffer.from([0x45, 0, 0])
    ])
    const stats = translator.stats
    assert.deepEqual([stats.outbound.unknownAddress, stats.icmp.unreachableSent, stats.icmp.rateLimited, stats.outbound.foreignSource, stats.outbound.notMapped, stats.outbound.dropped.malformed],
      [3, 2, 1, 1, 2, 1])
    assert.equal(router.length, 0)
  })

  it('an IPv6 packet from the peer that cannot be translated on an IPv4 flow is dropped and counted, not delivered as IPv6', () => {
    const { translator, host, peer4 } = setup()
    translator.handleOutboundBatch([udp4(OWN4, peer4, 5000, 6000)])
    const zero = udpPacket(PEER_AP, OWN_AP, 6000, 5000)
    zero.writeUInt16BE(0, 46)
    translator.deliverToHost(zero)
    assert.equal(host.length, 0)
    assert.equal(translator.stats.inbound.dropped.malformed, 1)
  })

  it('a peer\'s new connection to a port where only an IPv4 service listens: the peer mapped, delivered as IPv4, the service\'s answers back as IPv6; a port with an IPv6 listener stays IPv6', () => {
    const families: Record<string, 'ipv6' | 'ipv4-only' | 'none'> = { 'tcp:8080': 'ipv4-only', 'udp:5353': 'ipv4-only', 'tcp:9090': 'ipv6' }
    const { translator, map, router, host } = setup({ familyOf: (protocol, port) => families[`${protocol}:${port}`] ?? 'none' })
    const client = addr('fd50::c')
    translator.deliverToHost(withChecksum6(tcpPacket(client, OWN_AP, 40000, 8080, 0x02)))
    const client4 = map.addressOf(client.toString('hex'))
    assert.ok(client4 !== undefined, 'the peer got a local IPv4 address')
    const syn = parseIpv4Packet(host[0]!)
    assert.deepEqual([syn.source, syn.destination, host[0]!.readUInt16BE(22)], [client4, OWN4, 8080])
    assert.ok(ipv4ChecksumsValid(host[0]!))
    translator.deliverToHost(withChecksum6(tcpPacket(client, OWN_AP, 40000, 8080, 0x10)))
    assert.equal(host[1]![0]! >> 4, 4, 'the rest of the flow is translated too')
    translator.handleOutboundBatch([tcp4(OWN4, client4, 8080, 40000)])
    const answer = parseIpv6Packet(router[0]!)
    assert.ok(answer.header.source.equals(OWN_AP) && answer.header.destination.equals(client))
    translator.deliverToHost(withChecksum6(udpPacket(client, OWN_AP, 7000, 5353)))
    assert.ok(ipv4ChecksumsValid(host[2]!))
    assert.equal(host[2]![0]! >> 4, 4, 'UDP to an IPv4-only service')
    const six = tcpPacket(client, OWN_AP, 40001, 9090, 0x02)
    translator.deliverToHost(six)
    assert.equal(host[3], six, 'an IPv6 listener: untouched')
    const nobody = tcpPacket(client, OWN_AP, 40002, 7777, 0x02)
    translator.deliverToHost(nobody)
    assert.equal(host[4], nobody, 'nothing listens: untouched (the kernel answers as for IPv6)')
    assert.equal(translator.stats.inbound.toIpv4Services, 2)
  })
})
