import assert from 'node:assert/strict'
import fc from 'fast-check'
import { buildIcmpv6Error } from '../../../src/tun/packets/icmpv6Messages.js'
import { translateIpv4ToIpv6 } from '../../../src/tun/ipv4/translateToIpv6.js'
import { translateIpv6ToIpv4 } from '../../../src/tun/ipv4/translateToIpv4.js'
import { parseIpv4Packet, parseQuotedIpv4Packet } from '../../../src/tun/ipv4/ipv4Packet.js'
import { parseIpv6Packet } from '../../../src/tun/ipv6Packet.js'
import { addr, asFragment, echoPacket, udpPacket, withExtensionHeaders } from '../helpers/routerTestPackets.js'
import { echo4, icmp4, ipv4ChecksumsValid, ipv4Packet, ipv6ChecksumValid, tcp4, udp4, v4 } from '../helpers/ipv4TestPackets.js'

const OWN4 = v4('100.64.0.1')
const PEER4 = v4('100.64.0.2')
const OWN_AP = addr('fd50::a')
const PEER_AP = addr('fd50::b')
const to6 = (ipv4: number): Buffer | undefined => ipv4 === OWN4 ? OWN_AP : ipv4 === PEER4 ? PEER_AP : undefined
const to4 = (ap: Buffer): number | undefined => ap.equals(OWN_AP) ? OWN4 : ap.equals(PEER_AP) ? PEER4 : undefined

function to6Packet (packet: Buffer): Buffer {
  const result = translateIpv4ToIpv6(packet, to6)
  if (result.drop !== undefined) assert.fail(`dropped as ${result.drop}`)
  return result.packet
}

function to4Packet (packet: Buffer): Buffer {
  const result = translateIpv6ToIpv4(packet, to4)
  if (result.drop !== undefined) assert.fail(`dropped as ${result.drop}`)
  return result.packet
}

describe('tun/ipv4: translation between IPv4 and IPv6 (RFC 7915 for a host)', () => {
  it('TCP: the mapped AP addresses, TOS → traffic class, TTL → hop limit, options dropped, the segment kept with a checksum right for IPv6', () => {
    const packet = tcp4(OWN4, PEER4, 40000, 8080, Buffer.from('hello'), { tos: 0x10, ttl: 61, options: Buffer.from([1, 1, 1, 0]) })
    const out = to6Packet(packet)
    const { header, payload } = parseIpv6Packet(out)
    assert.deepEqual([header.trafficClass, header.hopLimit, header.nextHeader, header.flowLabel], [0x10, 61, 6, 0])
    assert.ok(header.source.equals(OWN_AP) && header.destination.equals(PEER_AP))
    const segment = packet.subarray(24)
    assert.equal(payload.length, segment.length)
    assert.ok(payload.subarray(18).equals(segment.subarray(18)) && payload.subarray(0, 16).equals(segment.subarray(0, 16)), 'only the checksum changed')
    assert.ok(ipv6ChecksumValid(out))
  })

  it('TCP back to IPv4: same segment, TTL and TOS, Don\'t Fragment set, every checksum right', () => {
    const original = tcp4(PEER4, OWN4, 8080, 40000, Buffer.from('answer'), { tos: 0x20, ttl: 50 })
    const six = to6Packet(original)
    const back = to4Packet(six)
    const header = parseIpv4Packet(back)
    assert.deepEqual([header.typeOfService, header.ttl, header.protocol, header.source, header.destination, header.dontFragment],
      [0x20, 50, 6, PEER4, OWN4, true])
    assert.ok(back.subarray(20).equals(original.subarray(20)), 'the segment, its checksum included, is what it was')
    assert.ok(ipv4ChecksumsValid(back))
  })

  it('TCP and UDP checksums stay right both ways for any ports, payload and addresses of the mapping (property)', () => {
    fc.assert(fc.property(
      fc.boolean(), fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 0xffff }),
      (tcp, sourcePort, destinationPort, data, peerLow) => {
        const peer4 = (v4('100.64.0.0') + 2 + peerLow) >>> 0
        const peerAp = Buffer.from(PEER_AP)
        peerAp.writeUInt16BE(peerLow, 12) // fd50::<peerLow>:0:b, never our own fd50::a
        const map6 = (a: number): Buffer | undefined => a === OWN4 ? OWN_AP : a === peer4 ? peerAp : undefined
        const map4 = (ap: Buffer): number | undefined => ap.equals(OWN_AP) ? OWN4 : ap.equals(peerAp) ? peer4 : undefined
        const packet = tcp ? tcp4(OWN4, peer4, sourcePort, destinationPort, data) : udp4(OWN4, peer4, sourcePort, destinationPort, data)
        const six = translateIpv4ToIpv6(packet, map6)
        if (six.drop !== undefined) return false
        if (!ipv6ChecksumValid(six.packet)) return false
        const back = translateIpv6ToIpv4(six.packet, map4)
        return back.drop === undefined && ipv4ChecksumsValid(back.packet) && back.packet.subarray(20).equals(packet.subarray(20))
      }), { numRuns: 500 })
  })

  it('UDP without a checksum (allowed over IPv4) gets one over IPv6; a zero UDP checksum over IPv6 is dropped', () => {
    const out = to6Packet(udp4(OWN4, PEER4, 5000, 53, Buffer.from('query'), false))
    assert.notEqual(out.readUInt16BE(46), 0)
    assert.ok(ipv6ChecksumValid(out))
    const zero = udpPacket(PEER_AP, OWN_AP, 53, 5000)
    zero.writeUInt16BE(0, 46)
    assert.equal(translateIpv6ToIpv4(zero, to4).drop, 'malformed')
  })

  it('ICMP echo request ↔ ICMPv6 echo request, echo reply ↔ echo reply, identifier, sequence and data kept', () => {
    const request = to6Packet(echo4(OWN4, PEER4, 8, 0x4242, 7, 24))
    const { header, payload } = parseIpv6Packet(request)
    assert.equal(header.nextHeader, 58)
    assert.deepEqual([payload[0], payload[1], payload.readUInt16BE(4), payload.readUInt16BE(6), payload.length], [128, 0, 0x4242, 7, 32])
    assert.ok(ipv6ChecksumValid(request))
    const reply = to4Packet(echoPacket(PEER_AP, OWN_AP, 129, 0x4242, 7, 24))
    const h4 = parseIpv4Packet(reply)
    assert.deepEqual([h4.protocol, reply[20], reply[21], reply.readUInt16BE(24), reply.readUInt16BE(26)], [1, 0, 0, 0x4242, 7])
    assert.ok(ipv4ChecksumsValid(reply))
  })

  it('ICMPv6 Packet Too Big about a translated packet → ICMP fragmentation needed with MTU − 20, quoting the IPv4 packet the host sent', () => {
    const sent = tcp4(OWN4, PEER4, 40000, 8080, Buffer.alloc(1400, 1))
    const ptb = buildIcmpv6Error(PEER_AP, OWN_AP, 2, 0, 1400, to6Packet(sent))
    const out = to4Packet(ptb)
    const header = parseIpv4Packet(out)
    assert.deepEqual([header.source, header.destination, header.protocol], [PEER4, OWN4, 1])
    assert.deepEqual([out[20], out[21], out.readUInt16BE(26)], [3, 4, 1380])
    assert.ok(ipv4ChecksumsValid(out))
    const quoted = out.subarray(28)
    const inner = parseQuotedIpv4Packet(quoted)
    assert.deepEqual([inner.source, inner.destination, inner.protocol, inner.totalLength], [OWN4, PEER4, 6, sent.length])
    assert.deepEqual([quoted.readUInt16BE(20), quoted.readUInt16BE(22)], [40000, 8080])
    assert.ok(out.length <= 576, 'an ICMPv4 error is at most 576 bytes')
  })

  it('ICMPv6 errors map as RFC 7915 says: unreachable address → host unreachable, port → port, prohibited → host prohibited, time exceeded, next header → protocol unreachable', () => {
    const sent = to6Packet(udp4(OWN4, PEER4, 5000, 9999))
    for (const [type, code, parameter, want] of [[1, 3, 0, [3, 1]], [1, 4, 0, [3, 3]], [1, 1, 0, [3, 10]], [3, 0, 0, [11, 0]], [4, 1, 6, [3, 2]]] as const) {
      const out = to4Packet(buildIcmpv6Error(PEER_AP, OWN_AP, type, code, parameter, sent))
      assert.deepEqual([out[20], out[21]], want, `ICMPv6 ${type}/${code}`)
      assert.ok(ipv4ChecksumsValid(out))
    }
    assert.equal(translateIpv6ToIpv4(buildIcmpv6Error(PEER_AP, OWN_AP, 4, 0, 0, sent), to4).drop, 'icmp-type', 'parameter problem other than next header')
  })

  it('an ICMP port unreachable the host sends about a packet from the peer → ICMPv6 port unreachable quoting that packet as IPv6', () => {
    const received = udp4(PEER4, OWN4, 9999, 5000, Buffer.from('stray'))
    const out = to6Packet(icmp4(OWN4, PEER4, 3, 3, Buffer.concat([Buffer.alloc(4), received])))
    const { header, payload } = parseIpv6Packet(out)
    assert.ok(header.source.equals(OWN_AP) && header.destination.equals(PEER_AP))
    assert.deepEqual([payload[0], payload[1]], [1, 4])
    assert.ok(ipv6ChecksumValid(out))
    const inner = payload.subarray(8)
    assert.ok(inner.subarray(8, 24).equals(PEER_AP) && inner.subarray(24, 40).equals(OWN_AP))
    assert.deepEqual([inner[6], inner.readUInt16BE(4), inner.readUInt16BE(40), inner.readUInt16BE(42)], [17, received.length - 20, 9999, 5000])
    assert.ok(ipv6ChecksumValid(inner), 'the quoted UDP checksum was updated for the IPv6 addresses')
  })

  it('ICMP fragmentation needed → Packet Too Big with MTU + 20 (at least 1280)', () => {
    const received = tcp4(PEER4, OWN4, 8080, 40000)
    for (const [mtu, want] of [[1400, 1420], [576, 1280]]) {
      const rest = Buffer.concat([Buffer.from([0, 0, mtu >> 8, mtu & 0xff]), received])
      const out = to6Packet(icmp4(OWN4, PEER4, 3, 4, rest))
      assert.deepEqual([out[40], out.readUInt32BE(44)], [2, want])
    }
  })

  it('drops what it does not translate, saying why', () => {
    const cases: Array<[string, () => ReturnType<typeof translateIpv4ToIpv6>, string]> = [
      ['first fragment', () => translateIpv4ToIpv6(udp4(OWN4, PEER4, 1, 2), to6), 'none'],
      ['more fragments', () => translateIpv4ToIpv6(ipv4Packet(OWN4, PEER4, 17, Buffer.alloc(16), { flags: 0x2000 }), to6), 'fragment'],
      ['later fragment', () => translateIpv4ToIpv6(ipv4Packet(OWN4, PEER4, 17, Buffer.alloc(16), { flags: 0x0010 }), to6), 'fragment'],
      ['unmapped destination', () => translateIpv4ToIpv6(udp4(OWN4, v4('100.64.9.9'), 1, 2), to6), 'unmapped'],
      ['GRE', () => translateIpv4ToIpv6(ipv4Packet(OWN4, PEER4, 47, Buffer.alloc(8)), to6), 'protocol'],
      ['ICMP timestamp', () => translateIpv4ToIpv6(icmp4(OWN4, PEER4, 13, 0, Buffer.alloc(16)), to6), 'icmp-type'],
      ['error about an error', () => translateIpv4ToIpv6(icmp4(OWN4, PEER4, 3, 3, Buffer.concat([Buffer.alloc(4), icmp4(PEER4, OWN4, 3, 1, Buffer.alloc(12))])), to6), 'icmp-type'],
      ['bad header checksum', () => { const p = udp4(OWN4, PEER4, 1, 2); p[10] ^= 1; return translateIpv4ToIpv6(p, to6) }, 'malformed'],
      ['truncated', () => translateIpv4ToIpv6(udp4(OWN4, PEER4, 1, 2).subarray(0, 30), to6), 'malformed'],
      ['UDP length wrong', () => { const p = udp4(OWN4, PEER4, 1, 2); p.writeUInt16BE(99, 24); return translateIpv4ToIpv6(p, to6) }, 'malformed'],
      ['IPv6 with a hop-by-hop header', () => translateIpv6ToIpv4(withExtensionHeaders(udpPacket(PEER_AP, OWN_AP, 1, 2)), to4), 'extension-headers'],
      ['IPv6 fragment', () => translateIpv6ToIpv4(asFragment(udpPacket(PEER_AP, OWN_AP, 1, 2), 0, true), to4), 'fragment'],
      ['IPv6 too big for IPv4', () => translateIpv6ToIpv4(udpPacket(PEER_AP, OWN_AP, 1, 2, Buffer.alloc(65_510)), to4), 'too-big'],
      ['IPv6 from an unmapped AP address', () => translateIpv6ToIpv4(udpPacket(addr('fd50::c'), OWN_AP, 1, 2), to4), 'unmapped'],
      ['ICMPv6 router advertisement', () => translateIpv6ToIpv4(echoPacket(PEER_AP, OWN_AP, 129, 1, 1).fill(134, 40, 41), to4), 'icmp-type']
    ]
    for (const [what, run, want] of cases) assert.equal(run().drop ?? 'none', want, what)
  })

  it('never throws on random bytes or on valid packets with bytes changed, and what it emits parses strictly (fuzz)', () => {
    const seeds = [tcp4(OWN4, PEER4, 1, 2), udp4(OWN4, PEER4, 3, 4), echo4(OWN4, PEER4, 8, 1, 1), icmp4(OWN4, PEER4, 3, 3, Buffer.concat([Buffer.alloc(4), udp4(PEER4, OWN4, 4, 3)]))]
    const seeds6 = seeds.map(to6Packet).concat([buildIcmpv6Error(PEER_AP, OWN_AP, 2, 0, 1300, to6Packet(seeds[0]!))])
    const mutate = (base: Buffer[]) => fc.tuple(fc.constantFrom(...base), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.option(fc.nat()))
      .map(([seed, edits, cut]) => {
        const p = Buffer.from(seed)
        for (const [at, value] of edits) p[at % p.length] = value
        return cut === null ? p : p.subarray(0, cut % (p.length + 1))
      })
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), mutate(seeds)), (packet) => {
      const result = translateIpv4ToIpv6(packet, to6)
      if (result.drop === undefined) parseIpv6Packet(result.packet)
    }), { numRuns: 3000 })
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), mutate(seeds6)), (packet) => {
      const result = translateIpv6ToIpv4(packet, to4)
      if (result.drop === undefined) parseIpv4Packet(result.packet)
    }), { numRuns: 3000 })
  })
})
