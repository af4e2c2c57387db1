import assert from 'node:assert/strict'
import fc from 'fast-check'
import { encodeReply } from '../../src/socks/socksCodec.js'
import { SocksReply, type SocksReplyCode } from '../../src/socks/socksConstants.js'
import {
  encodeUserPassAuth, parseConnectReply, parseMethodSelection, parseUserPassReply, socksReplyName
} from '../../bench/compare/workloads/socks5ClientCodec.js'
import { socksAddressFor } from '../../bench/compare/workloads/socks5Connect.js'
import { arbitrarySocksAddress } from '../socks/socksArbitraries.js'

describe('bench SOCKS5 client codec', () => {
  it('parses known method selections, auth replies and connect replies', () => {
    assert.deepEqual(parseMethodSelection(Buffer.from([5, 2])), { status: 'complete', value: 2, length: 2 })
    assert.deepEqual(parseMethodSelection(Buffer.from([5, 0xff, 9])), { status: 'complete', value: 0xff, length: 2 })
    assert.equal(parseMethodSelection(Buffer.from([4, 0])).status, 'invalid')
    assert.deepEqual(parseUserPassReply(Buffer.from([1, 0])), { status: 'complete', value: true, length: 2 })
    assert.deepEqual(parseUserPassReply(Buffer.from([1, 1])), { status: 'complete', value: false, length: 2 })
    assert.equal(parseUserPassReply(Buffer.from([5, 0])).status, 'invalid')
    // tor's reply after a successful CONNECT: IPv4 0.0.0.0:0
    assert.deepEqual(parseConnectReply(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0])), {
      status: 'complete', value: { reply: 0, bound: { type: 'ipv4', bytes: Buffer.alloc(4) }, port: 0 }, length: 10
    })
    const domain = Buffer.from([5, 0xf0, 0, 3, 3, 0x61, 0x62, 0x63, 0x1f, 0x90])
    assert.deepEqual(parseConnectReply(domain), {
      status: 'complete', value: { reply: 0xf0, bound: { type: 'domain', name: Buffer.from('abc') }, port: 8080 }, length: 10
    })
    assert.equal(parseConnectReply(Buffer.from([5, 0, 1, 1, 0, 0, 0, 0, 0, 0])).status, 'invalid', 'reserved byte must be 0')
    assert.equal(parseConnectReply(Buffer.from([5, 0, 0, 2, 0, 0, 0, 0, 0, 0])).status, 'invalid', 'address type 2 does not exist')
    assert.equal(socksReplyName(0xf0), 'onion service descriptor not found')
    assert.equal(socksReplyName(0x42), 'code 66')
  })

  it('parses every reply the node\'s own encoder makes, at any chunking, and leaves what follows alone', () => {
    const replyCode = fc.constantFrom(...Object.values(SocksReply)) as fc.Arbitrary<SocksReplyCode>
    fc.assert(fc.property(replyCode, arbitrarySocksAddress, fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 20 }), (reply, bound, port, extra) => {
      const bytes = encodeReply(reply, bound, port)
      for (let cut = 0; cut < bytes.length; cut++) assert.deepEqual(parseConnectReply(bytes.subarray(0, cut)), { status: 'incomplete' })
      assert.deepEqual(parseConnectReply(Buffer.concat([bytes, extra])), { status: 'complete', value: { reply, bound, port }, length: bytes.length })
    }))
  })

  it('never throws on arbitrary bytes and never claims more bytes than it was given', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      for (const parse of [parseMethodSelection, parseUserPassReply, parseConnectReply]) {
        const r = parse(bytes)
        if (r.status === 'complete') assert.ok(r.length <= bytes.length && r.length >= 2)
      }
    }), { numRuns: 2000 })
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 300 }), (bytes) => {
      const b = Buffer.from(bytes); b[0] = 5; b[2] = 0
      const r = parseConnectReply(b)
      assert.ok(r.status !== 'complete' || r.length <= 4 + 1 + 255 + 2)
    }), { numRuns: 2000 })
  })

  it('encodes RFC 1929 username/password requests and refuses empty or oversized fields', () => {
    assert.deepEqual(encodeUserPassAuth('ab', 'x'), Buffer.from([1, 2, 0x61, 0x62, 1, 0x78]))
    assert.throws(() => encodeUserPassAuth('', 'x'), RangeError)
    assert.throws(() => encodeUserPassAuth('a'.repeat(256), 'x'), RangeError)
    assert.throws(() => encodeUserPassAuth('a', ''), RangeError)
  })

  it('maps hosts to SOCKS addresses: IPv4, IPv6 (compressed or not) and names', () => {
    assert.deepEqual(socksAddressFor('127.0.0.1'), { type: 'ipv4', bytes: Buffer.from([127, 0, 0, 1]) })
    assert.deepEqual(socksAddressFor('fd63:6d70::2'), { type: 'ipv6', bytes: Buffer.from('fd636d70000000000000000000000002', 'hex') })
    assert.deepEqual(socksAddressFor('::1'), { type: 'ipv6', bytes: Buffer.from('00000000000000000000000000000001', 'hex') })
    assert.deepEqual(socksAddressFor('1:2:3:4:5:6:7:8'), { type: 'ipv6', bytes: Buffer.from('00010002000300040005000600070008', 'hex') })
    assert.deepEqual(socksAddressFor('abc.onion'), { type: 'domain', name: Buffer.from('abc.onion') })
    assert.throws(() => socksAddressFor('a'.repeat(256)), RangeError)
  })
})
