import assert from 'node:assert/strict'
import fc from 'fast-check'
import { icmpv6Checksum } from '../../src/tun/icmpv6Checksum.js'
import { encodeIpv6Packet, parseIpv6Packet } from '../../src/tun/ipv6Packet.js'
import { echoReplyFor, ICMPV6_ECHO_REPLY } from './helpers/icmpv6Echo.js'

const a1 = Buffer.from('fd500000000000000000000000000001', 'hex')
const a2 = Buffer.from('fd500000000000000000000000000002', 'hex')
const address = fc.uint8Array({ minLength: 16, maxLength: 16 })

describe('tun/icmpv6Checksum', () => {
  it('matches known answers (computed independently) for even and odd lengths', () => {
    assert.equal(icmpv6Checksum(a1, a2, Buffer.from('8000000000010001', 'hex')), 0x8516)
    assert.equal(icmpv6Checksum(a1, a2, Buffer.concat([Buffer.from('8000000000010001', 'hex'), Buffer.from('hello')])), 0x413f)
  })

  it('a message carrying its checksum verifies to 0, and any single-bit change is detected', () => {
    fc.assert(fc.property(address, address, fc.uint8Array({ minLength: 4, maxLength: 1500 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (src, dst, bytes, at, bit) => {
      const message = Buffer.from(bytes)
      message.writeUInt16BE(0, 2)
      message.writeUInt16BE(icmpv6Checksum(src, dst, message), 2)
      assert.equal(icmpv6Checksum(src, dst, message), 0)
      const index = at % message.length
      message[index] = (message[index] as number) ^ (1 << bit)
      assert.notEqual(icmpv6Checksum(src, dst, message), 0)
    }))
  })

  it('echo replies swap the addresses, keep id/sequence/data and carry a valid checksum', () => {
    fc.assert(fc.property(address, address, fc.uint8Array({ maxLength: 1400 }), fc.integer({ min: 0, max: 0xffff }), (src, dst, data, id) => {
      const request = Buffer.concat([Buffer.from([128, 0, 0, 0]), Buffer.alloc(4), data])
      request.writeUInt16BE(id, 4)
      request.writeUInt16BE(icmpv6Checksum(src, dst, request), 2)
      const reply = echoReplyFor(encodeIpv6Packet({ nextHeader: 58, hopLimit: 64, source: src, destination: dst }, request))
      assert.ok(reply !== null)
      const { header, payload } = parseIpv6Packet(reply)
      assert.deepEqual([...header.source], [...dst])
      assert.deepEqual([...header.destination], [...src])
      assert.equal(payload[0], ICMPV6_ECHO_REPLY)
      assert.deepEqual([...payload.subarray(4)], [...request.subarray(4)])
      assert.equal(icmpv6Checksum(header.source, header.destination, payload), 0)
    }))
  })

  it('does not answer what is not an echo request', () => {
    const notEcho = encodeIpv6Packet({ nextHeader: 58, hopLimit: 255, source: a1, destination: a2 }, Buffer.from([133, 0, 0, 0, 0, 0, 0, 0]))
    assert.equal(echoReplyFor(notEcho), null)
    const udp = encodeIpv6Packet({ nextHeader: 17, hopLimit: 64, source: a1, destination: a2 }, Buffer.alloc(8))
    assert.equal(echoReplyFor(udp), null)
  })
})
