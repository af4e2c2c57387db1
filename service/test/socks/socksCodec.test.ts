import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  encodeGreeting, encodeMethodSelection, encodeReply, encodeRequest, parseGreeting, parseRequest
} from '../../src/socks/socksCodec.js'
import {
  SOCKS_GREETING_MAX_BYTES, SOCKS_REQUEST_MAX_BYTES, SocksAddressType, SocksCommand, SocksReply
} from '../../src/socks/socksConstants.js'
import { arbitrarySocksRequest } from './socksArbitraries.js'

describe('SOCKS5 codec (RFC 1928)', () => {
  it('parses the known bytes of a greeting, a CONNECT request and a reply', () => {
    assert.deepEqual(parseGreeting(Buffer.from([5, 2, 0, 2])), { status: 'complete', value: { methods: [0, 2] }, length: 4 })
    const request = Buffer.from([5, 1, 0, 3, 11, ...Buffer.from('example.com'), 0x1f, 0x90])
    assert.deepEqual(parseRequest(request), {
      status: 'complete',
      value: { command: 1, address: { type: 'domain', name: Buffer.from('example.com') }, port: 8080 },
      length: request.length
    })
    assert.deepEqual(encodeReply(SocksReply.notAllowedByRuleset), Buffer.from([5, 2, 0, 4, ...new Array(16).fill(0), 0, 0]))
    assert.deepEqual(encodeMethodSelection(0xff), Buffer.from([5, 0xff]))
  })

  it('round-trips every request and greeting, and leaves bytes after the message alone', () => {
    fc.assert(fc.property(arbitrarySocksRequest, fc.uint8Array({ maxLength: 40 }), (request, extra) => {
      const bytes = encodeRequest(request)
      assert.ok(bytes.length <= SOCKS_REQUEST_MAX_BYTES)
      const parsed = parseRequest(Buffer.concat([bytes, extra]))
      assert.deepEqual(parsed, { status: 'complete', value: request, length: bytes.length })
    }))
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 255 }), fc.uint8Array({ maxLength: 10 }), (methods, extra) => {
      const bytes = encodeGreeting(methods)
      assert.ok(bytes.length <= SOCKS_GREETING_MAX_BYTES)
      assert.deepEqual(parseGreeting(Buffer.concat([bytes, extra])), { status: 'complete', value: { methods }, length: bytes.length })
    }))
  })

  it('says incomplete for every proper prefix of a valid message (truncation at every byte position)', () => {
    fc.assert(fc.property(arbitrarySocksRequest, (request) => {
      const bytes = encodeRequest(request)
      for (let cut = 0; cut < bytes.length; cut++) assert.deepEqual(parseRequest(bytes.subarray(0, cut)), { status: 'incomplete' }, `cut at ${cut}`)
    }), { numRuns: 200 })
    const greeting = encodeGreeting([0, 1, 2])
    for (let cut = 0; cut < greeting.length; cut++) assert.deepEqual(parseGreeting(greeting.subarray(0, cut)), { status: 'incomplete' })
  })

  it('rejects with the right reply: version, reserved byte, empty domain, unknown address type', () => {
    assert.deepEqual(parseGreeting(Buffer.from([4, 1, 0])), { status: 'invalid', reply: null, reason: 'greeting: version 4 is not 5' })
    const invalid = (bytes: number[]): unknown => {
      const r = parseRequest(Buffer.from(bytes))
      return r.status === 'invalid' ? r.reply : r.status
    }
    assert.equal(invalid([4, 1, 0, 1, 1, 2, 3, 4, 0, 80]), SocksReply.generalFailure)
    assert.equal(invalid([5, 1, 1, 1, 1, 2, 3, 4, 0, 80]), SocksReply.generalFailure)
    assert.equal(invalid([5, 1, 0, SocksAddressType.domainName, 0, 0, 80]), SocksReply.generalFailure)
    for (const type of [0, 2, 5, 0xff]) assert.equal(invalid([5, 1, 0, type]), SocksReply.addressTypeNotSupported)
    // Invalid as soon as the offending byte arrives: no waiting for more.
    assert.equal(invalid([5, 1, 7]), SocksReply.generalFailure)
    assert.equal(invalid([6]), SocksReply.generalFailure)
  })

  it('parses BIND and UDP ASSOCIATE like CONNECT (the handshake refuses them)', () => {
    for (const command of [SocksCommand.bind, SocksCommand.udpAssociate]) {
      const parsed = parseRequest(encodeRequest({ command, address: { type: 'ipv4', bytes: Buffer.from([1, 2, 3, 4]) }, port: 1 }))
      assert.equal(parsed.status, 'complete')
    }
  })

  it('never throws on random bytes, and never claims more bytes than it was given', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      for (const parsed of [parseGreeting(bytes), parseRequest(bytes)]) {
        if (parsed.status === 'complete') assert.ok(parsed.length <= bytes.length)
      }
    }), { numRuns: 2000 })
  })

  it('mutated messages: never a crash, never a length past the input', () => {
    fc.assert(fc.property(arbitrarySocksRequest, fc.nat(), fc.integer({ min: 0, max: 255 }), (request, at, value) => {
      const bytes = encodeRequest(request)
      const mutated = Buffer.from(bytes)
      mutated[at % bytes.length] = value
      const parsed = parseRequest(mutated)
      // A mutation can only make it invalid, incomplete or a different complete message: never a crash, never past the end.
      if (parsed.status === 'complete') assert.ok(parsed.length <= mutated.length)
    }), { numRuns: 1000 })
  })
})
