import assert from 'node:assert/strict'
import fc from 'fast-check'
import { icmpv6Checksum } from '../../../src/tun/icmpv6Checksum.js'
import { encodeIpv6Packet, parseIpv6Packet } from '../../../src/tun/ipv6Packet.js'
import { locateUpperLayer, MAX_EXTENSION_HEADERS } from '../../../src/tun/packets/extensionHeaderChain.js'
import { buildIcmpv6Error } from '../../../src/tun/packets/icmpv6Messages.js'
import { summarizeInvokingPacket, summarizePacket } from '../../../src/tun/packets/packetSummary.js'
import { DecodeError } from '../../../src/wire/index.js'
import { A, B } from '../helpers/routerPair.js'
import { asFragment, echoPacket, tcpPacket, udpPacket, withExtensionHeaders } from '../helpers/routerTestPackets.js'

const port = fc.integer({ min: 0, max: 65535 })
const address = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b))

/** A valid packet of one of the kinds the firewall looks at, sometimes behind extension headers. */
const validPacket = fc.tuple(address, address, port, port, fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }), fc.constantFrom('tcp', 'udp', 'echo'), fc.boolean())
  .map(([s, d, sp, dp, flags, data, kind, ext]) => {
    const p = kind === 'tcp' ? tcpPacket(s, d, sp, dp, flags, data) : kind === 'udp' ? udpPacket(s, d, sp, dp, data) : echoPacket(s, d, 128, sp, dp, data.length)
    return ext ? withExtensionHeaders(p) : p
  })

function onlyDecodeErrors (f: () => unknown): void {
  try { f() } catch (error) { if (!(error instanceof DecodeError)) throw error }
}

/** Extension header of a generic kind with `units` extra 8-byte units. */
function genericHeader (next: number, units: number): Buffer {
  const h = Buffer.alloc((units + 1) * 8)
  h[0] = next
  h[1] = units
  return h
}

describe('tun/packets: summaries of untrusted packets', () => {
  it('reads ports, flags and echo identifiers, with and without extension headers', () => {
    fc.assert(fc.property(address, address, port, port, fc.integer({ min: 0, max: 255 }), fc.boolean(), (s, d, sp, dp, flags, ext) => {
      const wrap = (p: Buffer): Buffer => ext ? withExtensionHeaders(p) : p
      const tcp = summarizePacket(wrap(tcpPacket(s, d, sp, dp, flags)))
      assert.deepEqual([tcp.protocol, tcp.ports, tcp.tcpFlags, tcp.fragment], [6, { sourcePort: sp, destinationPort: dp }, flags, null])
      assert.deepEqual([tcp.source, tcp.destination], [s, d])
      const udp = summarizePacket(wrap(udpPacket(s, d, sp, dp)))
      assert.deepEqual([udp.protocol, udp.ports], [17, { sourcePort: sp, destinationPort: dp }])
      const echo = summarizePacket(wrap(echoPacket(s, d, 129, sp, dp)))
      assert.deepEqual(echo.icmp, { kind: 'echo', type: 129, identifier: sp, sequence: dp })
    }))
  })

  it('reports fragments: the first with its ports, later ones without', () => {
    const first = summarizePacket(asFragment(udpPacket(A, B, 1, 2, Buffer.alloc(40)), 0, true, 77))
    assert.deepEqual([first.ports, first.fragment], [{ sourcePort: 1, destinationPort: 2 }, { offset: 0, moreFragments: true, identification: 77 }])
    const later = summarizePacket(asFragment(udpPacket(A, B, 1, 2, Buffer.alloc(40)), 1232, false, 77))
    assert.deepEqual([later.ports, later.fragment], [null, { offset: 1232, moreFragments: false, identification: 77 }])
  })

  it('rejects bad transport headers: short TCP, TCP options past the end, a UDP length that lies', () => {
    const short = encodeIpv6Packet({ nextHeader: 6, hopLimit: 64, source: A, destination: B }, Buffer.alloc(19))
    assert.throws(() => summarizePacket(short), DecodeError)
    const tcp = tcpPacket(A, B, 1, 2, 2)
    tcp[40 + 12] = 15 << 4
    assert.throws(() => summarizePacket(tcp), DecodeError)
    const tcp4 = tcpPacket(A, B, 1, 2, 2)
    tcp4[40 + 12] = 4 << 4
    assert.throws(() => summarizePacket(tcp4), DecodeError)
    const udp = udpPacket(A, B, 1, 2)
    udp.writeUInt16BE(9, 44)
    assert.throws(() => summarizePacket(udp), DecodeError)
  })

  it('walks any chain of up to 8 well-formed extension headers, and rejects 9 or a truncated one', () => {
    const kinds = fc.constantFrom(0, 43, 60, 135, 139, 140, 51, 44)
    fc.assert(fc.property(fc.array(fc.tuple(kinds, fc.integer({ min: 0, max: 4 })), { maxLength: 10 }), ([...chain]) => {
      const parts: Buffer[] = []
      let fragments = 0
      for (let i = 0; i < chain.length; i++) {
        const [kind, units] = chain[i] as [number, number]
        const next = i + 1 < chain.length ? (chain[i + 1] as [number, number])[0] : 6
        if (kind === 44) {
          fragments++
          const f = Buffer.alloc(8); f[0] = next; parts.push(f)
        } else if (kind === 51) {
          const h = Buffer.alloc((units + 2) * 4); h[0] = next; h[1] = units; parts.push(h)
        } else {
          parts.push(genericHeader(next, units))
        }
      }
      const first = chain.length > 0 ? (chain[0] as [number, number])[0] : 6
      const headers = Buffer.concat(parts)
      const payload = Buffer.concat([headers, Buffer.alloc(20)])
      if (chain.length > MAX_EXTENSION_HEADERS || fragments > 1) {
        assert.throws(() => locateUpperLayer(first, payload), DecodeError)
      } else {
        assert.deepEqual(locateUpperLayer(first, payload).offset, headers.length)
        assert.equal(locateUpperLayer(first, payload).protocol, 6)
        if (headers.length > 0) assert.throws(() => locateUpperLayer(first, headers.subarray(0, headers.length - 1)), DecodeError)
      }
    }))
  })

  it('never throws anything but DecodeError on random or mutated packets', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      onlyDecodeErrors(() => summarizePacket(bytes))
      assert.doesNotThrow(() => summarizeInvokingPacket(Buffer.from(bytes)))
    }), { numRuns: 2000 })
    const mutated = fc.tuple(validPacket, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat())
    fc.assert(fc.property(mutated, ([packet, edits, cut]) => {
      const p = Buffer.from(packet)
      for (const [at, value] of edits) p[at % p.length] = value
      onlyDecodeErrors(() => summarizePacket(p))
      const truncated = p.subarray(0, cut % (p.length + 1))
      onlyDecodeErrors(() => summarizePacket(truncated))
      assert.doesNotThrow(() => summarizeInvokingPacket(truncated))
    }), { numRuns: 2000 })
  })

  it('reads the quoted packet of an ICMPv6 error leniently: any prefix with the ports is enough', () => {
    fc.assert(fc.property(validPacket, fc.nat(), (packet, cut) => {
      const full = summarizePacket(packet)
      const prefix = packet.subarray(0, cut % (packet.length + 1))
      const quoted = summarizeInvokingPacket(prefix)
      const upperAt = 40 + locateUpperLayer(packet[6] as number, packet.subarray(40)).offset
      if (quoted !== null) {
        assert.deepEqual([quoted.source, quoted.destination, quoted.protocol], [full.source, full.destination, full.protocol])
        if (quoted.ports !== null) assert.deepEqual(quoted.ports, full.ports)
        if (quoted.echoIdentifier !== null) assert.equal(quoted.echoIdentifier, full.icmp?.kind === 'echo' ? full.icmp.identifier : -1)
      }
      if (prefix.length >= upperAt + 4 && full.ports !== null) assert.deepEqual(quoted?.ports, full.ports, 'ports read from any prefix that holds them')
      if (prefix.length >= upperAt + 8 && full.icmp?.kind === 'echo') assert.equal(quoted?.echoIdentifier, full.icmp.identifier)
      if (prefix.length < 40) assert.equal(quoted, null)
    }))
  })

  it('builds ICMPv6 errors that verify, quote a prefix and fit in 1280 bytes', () => {
    fc.assert(fc.property(address, address, fc.integer({ min: 0, max: 127 }), fc.integer({ min: 0, max: 255 }), fc.nat(), fc.uint8Array({ maxLength: 3000 }),
      (s, d, type, code, parameter, invoking) => {
        const packet = buildIcmpv6Error(s, d, type, code, parameter, invoking)
        assert.ok(packet.length <= 1280)
        const { header, payload } = parseIpv6Packet(packet)
        assert.deepEqual([header.source, header.destination, header.nextHeader], [s, d, 58])
        assert.equal(icmpv6Checksum(s, d, payload), 0)
        assert.deepEqual([payload[0], payload[1], payload.readUInt32BE(4)], [type, code, parameter >>> 0])
        assert.deepEqual(payload.subarray(8), Buffer.from(invoking).subarray(0, 1280 - 48))
      }))
    assert.throws(() => buildIcmpv6Error(A, B, 128, 0, 0, Buffer.alloc(0)), RangeError)
  })
})
