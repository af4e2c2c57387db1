import assert from 'node:assert/strict'
import fc from 'fast-check'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { phantomNameFromRoutingKey } from '../../src/netdb/phantomName.js'
import { DNS_QUERY_MAX_BYTES, DnsClass, DnsRcode, DnsType } from '../../src/dns/dnsConstants.js'
import { encodeDnsQuery, parseDnsQuery, type DnsQuery } from '../../src/dns/dnsMessage.js'
import { dnsLabelsFromText, dnsNameText } from '../../src/dns/dnsName.js'
import { answerDnsMessage } from '../../src/dns/phantomAnswer.js'
import { parseHostsFile } from '../../src/dns/hostsFile.js'
import { readResponse } from './dnsResponseReader.js'

const KEY = Buffer.alloc(32, 3)
const NAME = phantomNameFromRoutingKey(KEY)
const AP = deriveApAddress(KEY)

function query (name: string, type: number = DnsType.AAAA, extra: Partial<DnsQuery> = {}): DnsQuery {
  return { id: 0x1234, opcode: 0, recursionDesired: true, checkingDisabled: false, question: { labels: dnsLabelsFromText(name), type, class: DnsClass.IN }, ...extra }
}

const arbitraryLabel = fc.uint8Array({ minLength: 1, maxLength: 63 }).map(b => Buffer.from(b))
const arbitraryQuery: fc.Arbitrary<DnsQuery> = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  recursionDesired: fc.boolean(),
  checkingDisabled: fc.boolean(),
  labels: fc.array(arbitraryLabel, { maxLength: 3 }),
  type: fc.integer({ min: 0, max: 0xffff }),
  class: fc.integer({ min: 0, max: 0xffff }),
  edns: fc.option(fc.record({ udpPayloadSize: fc.integer({ min: 0, max: 0xffff }), version: fc.integer({ min: 0, max: 255 }), dnssecOk: fc.boolean() }), { nil: undefined })
}).map(r => {
  const q: DnsQuery = { id: r.id, opcode: 0, recursionDesired: r.recursionDesired, checkingDisabled: r.checkingDisabled, question: { labels: r.labels, type: r.type, class: r.class } }
  if (r.edns !== undefined) q.edns = { udpPayloadSize: r.edns.udpPayloadSize, version: r.edns.version, dnssecOk: r.edns.dnssecOk }
  return q
})

describe('DNS message codec', () => {
  it('parses a query as dig sends it (known bytes, with an OPT record and a cookie)', () => {
    const bytes = Buffer.from(
      '6b1c0120000100000000000107' + Buffer.from('example').toString('hex') + '03' + Buffer.from('com').toString('hex') + '00001c0001' +
      '000029' + '1000' + '00' + '00' + '0000' + '000c' + '000a0008' + '0102030405060708', 'hex')
    const parsed = parseDnsQuery(bytes)
    assert.equal(parsed.status, 'query')
    if (parsed.status !== 'query') return
    assert.equal(parsed.query.id, 0x6b1c)
    assert.equal(dnsNameText(parsed.query.question.labels), 'example.com')
    assert.equal(parsed.query.question.type, DnsType.AAAA)
    assert.deepEqual(parsed.query.edns, { udpPayloadSize: 4096, version: 0, dnssecOk: false })
  })

  it('round-trips every query it can encode', () => {
    fc.assert(fc.property(arbitraryQuery, (q) => {
      const parsed = parseDnsQuery(encodeDnsQuery(q))
      assert.deepEqual(parsed, { status: 'query', query: q })
    }), { numRuns: 500 })
  })

  it('FORMERR for compression, reserved label types, wrong counts, trailing bytes and oversize; NOTIMP for other opcodes', () => {
    const good = encodeDnsQuery(query('a.phantom'))
    const rcodeOf = (bytes: Buffer): unknown => {
      const p = parseDnsQuery(bytes)
      return p.status === 'error' ? p.rcode : p.status
    }
    const withHeader = (patch: (b: Buffer) => void): Buffer => { const b = Buffer.from(good); patch(b); return b }
    // A name that is a pointer to itself: must not loop.
    assert.equal(rcodeOf(Buffer.concat([good.subarray(0, 12), Buffer.from([0xc0, 12, 0, 28, 0, 1])])), DnsRcode.formErr)
    assert.equal(rcodeOf(Buffer.concat([good.subarray(0, 12), Buffer.from([0x40, 0, 28, 0, 1])])), DnsRcode.formErr)
    assert.equal(rcodeOf(Buffer.concat([good.subarray(0, 12), Buffer.from([0x80, 0, 28, 0, 1])])), DnsRcode.formErr)
    assert.equal(rcodeOf(withHeader(b => b.writeUInt16BE(0, 4))), DnsRcode.formErr)
    assert.equal(rcodeOf(withHeader(b => b.writeUInt16BE(2, 4))), DnsRcode.formErr)
    assert.equal(rcodeOf(withHeader(b => b.writeUInt16BE(1, 6))), DnsRcode.formErr)
    assert.equal(rcodeOf(withHeader(b => b.writeUInt16BE(2, 10))), DnsRcode.formErr)
    assert.equal(rcodeOf(withHeader(b => b.writeUInt16BE(1, 10))), DnsRcode.formErr) // OPT announced, absent
    assert.equal(rcodeOf(Buffer.concat([good, Buffer.from([0])])), DnsRcode.formErr)
    assert.equal(rcodeOf(good.subarray(0, good.length - 1)), DnsRcode.formErr)
    assert.equal(rcodeOf(Buffer.concat([good, Buffer.alloc(DNS_QUERY_MAX_BYTES)])), DnsRcode.formErr)
    const longName = Buffer.concat([good.subarray(0, 12), ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])), Buffer.from([0, 0, 28, 0, 1])])
    assert.equal(rcodeOf(longName), DnsRcode.formErr)
    assert.equal(rcodeOf(withHeader(b => { b[2] = (b[2] as number) | (2 << 3) })), DnsRcode.notImp)
    // Never answered: too short to carry an ID, or a response.
    assert.equal(rcodeOf(good.subarray(0, 11)), 'drop')
    assert.equal(rcodeOf(withHeader(b => { b[2] = (b[2] as number) | 0x80 })), 'drop')
  })

  it('fuzz: random and mutated messages never throw; every reply is a response to the same ID and fits in 512 bytes', () => {
    const petnames = parseHostsFile(`${NAME} shop.phantom\n`, 'test')
    const good = encodeDnsQuery(query(NAME, DnsType.AAAA, { edns: { udpPayloadSize: 1232, version: 0, dnssecOk: false } }))
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 600 }).map(b => Buffer.from(b)),
      fc.tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat()).map(([edits, cut]) => {
        const m = Buffer.from(good)
        for (const [at, v] of edits) m[at % m.length] = v
        return m.subarray(0, cut % (m.length + 2))
      }),
      arbitraryQuery.map(encodeDnsQuery)
    )
    fc.assert(fc.property(input, (bytes) => {
      const { reply } = answerDnsMessage(bytes, { petnames })
      if (reply === undefined) return
      assert.ok(reply.length <= 512)
      const r = readResponse(reply)
      assert.ok(r.qr)
      assert.equal(r.id, bytes.readUInt16BE(0))
    }), { numRuns: 3000 })
  })
})

describe('resolver policy (answerDnsMessage)', () => {
  const petnames = parseHostsFile(`${NAME} shop.phantom\nfd50::1 Other.Phantom\n`, 'test')
  const ask = (name: string, type: number = DnsType.AAAA, extra: Partial<DnsQuery> = {}): ReturnType<typeof readResponse> & { outcome: string } => {
    const { reply, outcome } = answerDnsMessage(encodeDnsQuery(query(name, type, extra)), { petnames, ttlSeconds: 300 })
    assert.ok(reply !== undefined)
    return { ...readResponse(reply), outcome }
  }

  it('.phantom key names (any case) and petnames → AAAA with the derived address, authoritative, TTL 300', () => {
    for (const name of [NAME, NAME.toUpperCase(), 'shop.phantom', 'SHOP.phantom']) {
      const r = ask(name)
      assert.equal(r.rcode, DnsRcode.noError)
      assert.ok(r.aa)
      assert.equal(r.questionName, name, 'question echoed exactly')
      assert.deepEqual(r.answers, [{ type: DnsType.AAAA, ttl: 300, data: AP }])
    }
    assert.deepEqual(ask('other.phantom').answers[0]?.data, Buffer.from('fd500000000000000000000000000001', 'hex'))
    assert.equal(ask(NAME, DnsType.ANY).answers.length, 1)
  })

  it('without an IPv4 mapping, A and other types for known names → NODATA; the apex → NODATA; unknown .phantom names → NXDOMAIN', () => {
    for (const type of [DnsType.A, 16, 15, 65]) {
      const r = ask(NAME, type)
      assert.equal(r.rcode, DnsRcode.noError)
      assert.equal(r.answers.length, 0)
      assert.ok(r.aa)
    }
    assert.deepEqual([ask('phantom').rcode, ask('phantom').answers.length], [DnsRcode.noError, 0])
    assert.equal(ask('unknown.phantom').rcode, DnsRcode.nxDomain)
    assert.equal(ask('x.' + NAME).rcode, DnsRcode.nxDomain)
  })

  it('with the IPv4 mapping: A → the mapped address, ANY → AAAA and A, a full map → NODATA; other types stay NODATA', () => {
    const asked: string[] = []
    const ipv4For = (ap: Buffer): Buffer | undefined => {
      asked.push(ap.toString('hex'))
      return ap.equals(AP) ? Buffer.from([100, 64, 0, 2]) : undefined
    }
    const withMap = (name: string, type: number): ReturnType<typeof readResponse> & { outcome: string } => {
      const { reply, outcome } = answerDnsMessage(encodeDnsQuery(query(name, type)), { petnames, ttlSeconds: 300, ipv4For })
      assert.ok(reply !== undefined)
      return { ...readResponse(reply), outcome }
    }
    const a = withMap(NAME, DnsType.A)
    assert.deepEqual([a.rcode, a.aa, a.outcome, a.answers], [DnsRcode.noError, true, 'address', [{ type: DnsType.A, ttl: 300, data: Buffer.from([100, 64, 0, 2]) }]])
    assert.deepEqual(withMap('shop.phantom', DnsType.ANY).answers.map((x) => x.type), [DnsType.AAAA, DnsType.A])
    const full = withMap('other.phantom', DnsType.A)
    assert.deepEqual([full.rcode, full.answers.length, full.outcome], [DnsRcode.noError, 0, 'nodata'])
    assert.equal(withMap(NAME, 16).answers.length, 0)
    assert.equal(withMap('example.com', DnsType.A).rcode, DnsRcode.refused)
    assert.equal(asked.length, 3, 'only A and ANY questions for known names consult the mapping')
  })

  it('every other name, and other classes, → REFUSED; EDNS is answered with OPT; a later EDNS version → BADVERS', () => {
    for (const name of ['example.com', 'phantom.com', 'localhost', '', 'com', 'phantom.example']) {
      const r = ask(name)
      assert.equal(r.rcode, DnsRcode.refused, name)
      assert.equal(r.answers.length, 0)
    }
    const chaos = answerDnsMessage(encodeDnsQuery({ ...query(NAME), question: { labels: dnsLabelsFromText(NAME), type: 16, class: 3 } }))
    assert.equal(readResponse(chaos.reply as Buffer).rcode, DnsRcode.refused)
    const edns = ask(NAME, DnsType.AAAA, { edns: { udpPayloadSize: 4096, version: 0, dnssecOk: true } })
    assert.deepEqual(edns.opt, { udpPayloadSize: 1232, extendedRcode: 0 })
    const v1 = ask(NAME, DnsType.AAAA, { edns: { udpPayloadSize: 4096, version: 1, dnssecOk: false } })
    assert.deepEqual([v1.rcode, v1.opt?.extendedRcode, v1.answers.length], [0, 1, 0]) // BADVERS = 16 = (1 << 4) | 0
  })
})
