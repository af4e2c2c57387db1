import assert from 'node:assert/strict'
import fc from 'fast-check'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { phantomNameFromRoutingKey } from '../../src/netdb/phantomName.js'
import { encodeGreeting, encodeReply, encodeRequest, type SocksAddress } from '../../src/socks/socksCodec.js'
import { SOCKS_REQUEST_MAX_BYTES, SocksCommand, SocksReply } from '../../src/socks/socksConstants.js'
import { SocksHandshake, type SocksHandshakeStep } from '../../src/socks/socksHandshake.js'
import { arbitrarySocksRequest } from './socksArbitraries.js'

const KEY = Buffer.alloc(32, 7)
const NAME = phantomNameFromRoutingKey(KEY)
const AP = deriveApAddress(KEY)
const PETNAME_AP = deriveApAddress(Buffer.alloc(32, 9))
const lookupName = (name: string): Buffer | undefined => name === 'shop.phantom' ? PETNAME_AP : undefined

function connectBytes (address: SocksAddress, port = 8080, command: number = SocksCommand.connect): Buffer {
  return Buffer.concat([encodeGreeting([0]), encodeRequest({ command, address, port })])
}

/** Feeds `bytes` cut at `cuts` and returns the concatenated output and the final result. */
function run (bytes: Buffer, cuts: number[] = []): { sent: Buffer, last: SocksHandshakeStep['result'] } {
  const handshake = new SocksHandshake({ lookupName })
  const points = [...new Set(cuts.map(c => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const pieces: Buffer[] = []
  let from = 0
  for (const p of [...points, bytes.length]) { pieces.push(bytes.subarray(from, p)); from = p }
  const sent: Buffer[] = []
  let last: SocksHandshakeStep['result'] = { kind: 'more' }
  for (const piece of pieces) {
    if (handshake.finished) break
    const step = handshake.push(piece)
    sent.push(...step.send)
    last = step.result
    assert.ok(handshake.bufferedBytes <= SOCKS_REQUEST_MAX_BYTES)
  }
  return { sent: Buffer.concat(sent), last }
}

const ACCEPT = Buffer.from([5, 0])
const domain = (text: string): SocksAddress => ({ type: 'domain', name: Buffer.from(text) })

describe('SOCKS5 handshake and destination policy', () => {
  it('connects AP addresses, .phantom names (any case, one trailing dot) and petnames, keeping early data', () => {
    const viaAddress = run(Buffer.concat([connectBytes({ type: 'ipv6', bytes: AP }), Buffer.from('GET /')]))
    assert.deepEqual(viaAddress.sent, ACCEPT)
    assert.equal(viaAddress.last.kind, 'connect')
    if (viaAddress.last.kind === 'connect') {
      assert.deepEqual(viaAddress.last.target, { ap: AP, port: 8080 })
      assert.equal(viaAddress.last.early.toString(), 'GET /')
    }
    for (const name of [NAME, NAME.toUpperCase(), NAME + '.']) {
      const r = run(connectBytes(domain(name), 80))
      assert.deepEqual(r.last.kind === 'connect' && r.last.target, { ap: AP, port: 80, name: NAME })
    }
    const pet = run(connectBytes(domain('Shop.Phantom'), 443))
    assert.deepEqual(pet.last.kind === 'connect' && pet.last.target, { ap: PETNAME_AP, port: 443, name: 'shop.phantom' })
    const literal = run(connectBytes(domain('FD50::1'), 1))
    assert.deepEqual(literal.last.kind === 'connect' && literal.last.target.ap, Buffer.from('fd500000000000000000000000000001', 'hex'))
  })

  it('refuses everything outside the Phantom network with REP 0x02', () => {
    const refused = encodeReply(SocksReply.notAllowedByRuleset)
    for (const address of [
      { type: 'ipv4', bytes: Buffer.from([93, 184, 216, 34]) },
      { type: 'ipv4', bytes: Buffer.from([127, 0, 0, 1]) },
      { type: 'ipv6', bytes: Buffer.from('20010db8000000000000000000000001', 'hex') },
      { type: 'ipv6', bytes: Buffer.from('fd510000000000000000000000000001', 'hex') },
      domain('example.com'), domain('localhost'), domain('unknown.phantom'), domain(NAME.slice(1)),
      domain('::1'), domain('fd50::zz'), domain('a\u0000b'), domain(NAME + '..')
    ] satisfies SocksAddress[]) {
      const r = run(connectBytes(address))
      assert.deepEqual(r.sent, Buffer.concat([ACCEPT, refused]), JSON.stringify(address))
      assert.equal(r.last.kind, 'close')
    }
  })

  it('answers BIND, UDP ASSOCIATE and unknown commands with 0x07, and no acceptable method with 0xff', () => {
    for (const command of [SocksCommand.bind, SocksCommand.udpAssociate, 0, 9]) {
      const r = run(connectBytes({ type: 'ipv6', bytes: AP }, 1, command))
      assert.deepEqual(r.sent, Buffer.concat([ACCEPT, encodeReply(SocksReply.commandNotSupported)]))
    }
    for (const methods of [[], [2], [1, 2, 0x80]]) {
      const r = run(encodeGreeting(methods))
      assert.deepEqual(r.sent, Buffer.from([5, 0xff]))
      assert.equal(r.last.kind, 'close')
    }
    const socks4 = run(Buffer.from([4, 1, 0, 80, 127, 0, 0, 1, 0]))
    assert.deepEqual(socks4.sent, Buffer.alloc(0))
    assert.equal(socks4.last.kind, 'close')
  })

  it('refuses a client that sends too much before its reply', () => {
    const handshake = new SocksHandshake({ maxEarlyDataBytes: 10 })
    const step = handshake.push(Buffer.concat([connectBytes({ type: 'ipv6', bytes: AP }), Buffer.alloc(11)]))
    assert.deepEqual(step.send, [ACCEPT, encodeReply(SocksReply.generalFailure)])
    assert.equal(step.result.kind, 'close')
  })

  it('a stalled client gets a failure reply only once a method is agreed', () => {
    const early = new SocksHandshake()
    early.push(Buffer.from([5]))
    assert.equal(early.abandon(), undefined)
    const late = new SocksHandshake()
    late.push(Buffer.from([5, 1, 0, 5]))
    assert.deepEqual(late.abandon(), encodeReply(SocksReply.generalFailure))
  })

  it('gives the same result whatever the chunking', () => {
    fc.assert(fc.property(arbitrarySocksRequest, fc.array(fc.nat(), { maxLength: 8 }), fc.uint8Array({ maxLength: 20 }), (request, cuts, extra) => {
      const bytes = Buffer.concat([encodeGreeting([0]), encodeRequest(request), extra])
      assert.deepEqual(run(bytes, cuts), run(bytes))
    }), { numRuns: 500 })
  })

  it('random and mutated input: never throws, holds at most one message, ends or asks for more', () => {
    const valid = connectBytes(domain(NAME))
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 700 }).map(b => Buffer.from(b)),
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat({ max: valid.length })).map(([at, value, cut]) => {
        const m = Buffer.from(valid)
        m[at % m.length] = value
        return m.subarray(0, cut)
      }),
      fc.uint8Array({ maxLength: 300 }).map(b => Buffer.concat([Buffer.from([5, 1, 0]), b]))
    )
    fc.assert(fc.property(input, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
      const r = run(bytes, cuts)
      assert.ok(r.sent.length <= 2 + 22)
    }), { numRuns: 3000 })
  })
})
