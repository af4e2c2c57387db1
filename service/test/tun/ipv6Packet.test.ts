import assert from 'node:assert/strict'
import fc from 'fast-check'
import { encodeIpv6Packet, IPV6_HEADER_BYTES, parseIpv6Packet } from '../../src/tun/ipv6Packet.js'
import { DecodeError } from '../../src/wire/index.js'

const address = fc.uint8Array({ minLength: 16, maxLength: 16 })
const fields = fc.record({
  trafficClass: fc.integer({ min: 0, max: 0xff }),
  flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  nextHeader: fc.integer({ min: 0, max: 0xff }),
  hopLimit: fc.integer({ min: 0, max: 0xff }),
  source: address,
  destination: address
})
const payload = fc.uint8Array({ maxLength: 2000 })

describe('tun/ipv6Packet', () => {
  it('parses a hand-built packet (ICMPv6 echo request fd50::1 -> fd50::2)', () => {
    const hex = '6000000000083a40' + 'fd500000000000000000000000000001' + 'fd500000000000000000000000000002' + '8000851600010001'
    const { header, payload } = parseIpv6Packet(Buffer.from(hex, 'hex'))
    assert.equal(header.payloadLength, 8)
    assert.equal(header.nextHeader, 58)
    assert.equal(header.hopLimit, 64)
    assert.equal(header.trafficClass, 0)
    assert.equal(header.flowLabel, 0)
    assert.equal(header.source.toString('hex'), 'fd500000000000000000000000000001')
    assert.equal(header.destination.toString('hex'), 'fd500000000000000000000000000002')
    assert.equal(payload.toString('hex'), '8000851600010001')
  })

  it('round-trips every header field and the payload', () => {
    fc.assert(fc.property(fields, payload, (f, p) => {
      const packet = encodeIpv6Packet(f, p)
      assert.equal(packet.length, IPV6_HEADER_BYTES + p.length)
      const { header, payload: parsed } = parseIpv6Packet(packet)
      assert.deepEqual(
        { ...header, source: [...header.source], destination: [...header.destination] },
        { ...f, payloadLength: p.length, source: [...f.source], destination: [...f.destination] })
      assert.deepEqual([...parsed], [...p])
    }))
  })

  it('rejects every version other than 6', () => {
    fc.assert(fc.property(fields, payload, fc.integer({ min: 0, max: 15 }).filter((v) => v !== 6), (f, p, version) => {
      const packet = encodeIpv6Packet(f, p)
      packet[0] = (version << 4) | ((packet[0] as number) & 0x0f)
      assert.throws(() => parseIpv6Packet(packet), DecodeError)
    }))
  })

  it('rejects a payload length that disagrees with the bytes present (truncated or trailing)', () => {
    fc.assert(fc.property(fields, payload, fc.integer({ min: 0, max: 0xffff }), (f, p, claimed) => {
      fc.pre(claimed !== p.length)
      const packet = encodeIpv6Packet(f, p)
      packet.writeUInt16BE(claimed, 4)
      assert.throws(() => parseIpv6Packet(packet), DecodeError)
    }))
  })

  it('rejects anything shorter than the header, and never throws anything but DecodeError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 39 }), (bytes) => {
      assert.throws(() => parseIpv6Packet(bytes), DecodeError)
    }))
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        const { header, payload } = parseIpv6Packet(bytes)
        assert.equal(header.payloadLength, payload.length)
        assert.equal(bytes[0]! >> 4, 6)
      } catch (error) {
        assert.ok(error instanceof DecodeError, String(error))
      }
    }))
  })

  it('the payload is a view, not a copy, and plain Uint8Arrays are accepted', () => {
    const packet = encodeIpv6Packet({ nextHeader: 17, hopLimit: 1, source: new Uint8Array(16), destination: new Uint8Array(16) }, Buffer.from('abc'))
    const view = new Uint8Array(packet.buffer, packet.byteOffset, packet.byteLength)
    const { payload } = parseIpv6Packet(view)
    view[IPV6_HEADER_BYTES] = 0x7a
    assert.equal(payload.toString(), 'zbc')
  })

  it('refuses to encode out-of-range fields', () => {
    const base = { nextHeader: 17, hopLimit: 1, source: new Uint8Array(16), destination: new Uint8Array(16) }
    assert.throws(() => encodeIpv6Packet({ ...base, flowLabel: 0x100000 }, new Uint8Array(0)), RangeError)
    assert.throws(() => encodeIpv6Packet({ ...base, hopLimit: 256 }, new Uint8Array(0)), RangeError)
    assert.throws(() => encodeIpv6Packet({ ...base, source: new Uint8Array(4) }, new Uint8Array(0)), RangeError)
    assert.throws(() => encodeIpv6Packet(base, new Uint8Array(0x10000)), RangeError)
  })
})
