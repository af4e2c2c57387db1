import assert from 'node:assert/strict'
import net from 'node:net'
import fc from 'fast-check'
import { AP_PREFIX, deriveApAddress, formatApAddress, isApAddress, parseApAddress } from '../../src/netdb/apAddress.js'
import { formatIpv6, parseIpv6 } from '../../src/netdb/ipv6Text.js'

/** The WHATWG URL parser's IPv6 serializer is RFC 5952 canonical (never mixed notation): an independent oracle. */
function urlCanonical (text: string): string | null {
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1)
  } catch {
    return null
  }
}

const ipv6TextArb = fc.uint8Array({ minLength: 16, maxLength: 16 }).chain(bytes => fc.record({
  bytes: fc.constant(Buffer.from(bytes)),
  upper: fc.boolean(),
  pad: fc.boolean()
}))

describe('AP addresses (PROTOCOL.md §3)', () => {
  it('derives the pinned known answer for routingPub = 32 × 0x01', () => {
    // BLAKE2b-256("phantom-ap-v1" || 01×32) = 7b138478d902f68d2ebf4335d7577e16… (checked independently with Python hashlib)
    const ap = deriveApAddress(Buffer.alloc(32, 1))
    assert.equal(ap.toString('hex'), 'fd507b138478d902f68d2ebf4335d757')
    assert.equal(formatApAddress(ap), 'fd50:7b13:8478:d902:f68d:2ebf:4335:d757')
  })

  it('every derived address lies in fd50::/16 and formats/parses back', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), key => {
      const ap = deriveApAddress(key)
      assert.ok(isApAddress(ap))
      assert.deepEqual(ap.subarray(0, 2), AP_PREFIX)
      const text = formatApAddress(ap)
      assert.equal(text, urlCanonical(text))
      assert.deepEqual(parseApAddress(text), ap)
      assert.deepEqual(parseApAddress(text.toUpperCase()), ap)
    }), { numRuns: 300 })
  })

  it('formats RFC 5952 canonical text (compared with the WHATWG URL serializer)', () => {
    const zeroish = fc.array(fc.constantFrom(0, 0, 0, 1, 0xabcd), { minLength: 8, maxLength: 8 }).map(words => {
      const b = Buffer.alloc(16); words.forEach((w, i) => b.writeUInt16BE(w, 2 * i)); return b
    })
    fc.assert(fc.property(fc.oneof(zeroish, fc.uint8Array({ minLength: 16, maxLength: 16 })), bytes => {
      const text = formatIpv6(bytes)
      assert.equal(text, urlCanonical(text))
      assert.deepEqual(parseIpv6(text), Buffer.from(bytes))
    }), { numRuns: 500 })
    assert.equal(formatIpv6(Buffer.alloc(16)), '::')
    assert.equal(formatIpv6(parseIpv6('fd50:0:0:1:0:0:0:1')), 'fd50:0:0:1::1')
    assert.equal(formatIpv6(parseIpv6('fd50:0:1:0:1:0:1:0')), 'fd50:0:1:0:1:0:1:0')
    assert.equal(formatIpv6(parseIpv6('fd50:0:0:1:1:0:0:1')), 'fd50::1:1:0:0:1')
  })

  it('parses every RFC 4291 form: full, leading zeros, upper case, "::", dotted IPv4 tail', () => {
    fc.assert(fc.property(ipv6TextArb, fc.integer({ min: 0, max: 7 }), ({ bytes, upper, pad }, cut) => {
      const groups: string[] = []
      for (let i = 0; i < 8; i++) {
        const h = bytes.readUInt16BE(2 * i).toString(16)
        groups.push(pad ? h.padStart(4, '0') : h)
      }
      let text = groups.join(':')
      if (upper) text = text.toUpperCase()
      assert.deepEqual(parseIpv6(text), bytes)
      const dotted = `${groups.slice(0, 6).join(':')}:${bytes[12] as number}.${bytes[13] as number}.${bytes[14] as number}.${bytes[15] as number}`
      assert.deepEqual(parseIpv6(dotted), bytes)
      // "::" standing for the zero groups cut..7 when they are zero
      const zeroed = Buffer.from(bytes); zeroed.fill(0, cut * 2)
      const head = []
      for (let i = 0; i < cut; i++) head.push(zeroed.readUInt16BE(2 * i).toString(16))
      assert.deepEqual(parseIpv6(`${head.join(':')}::`), zeroed)
    }), { numRuns: 300 })
  })

  it('the IPv6 parser agrees with node:net isIPv6 on random and mutated strings, and never throws anything but Error', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF:.:::'.split(''), 'g', ' ', '%', '1')
    const mutated = fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(60), alphabet, fc.boolean())
      .map(([b, pos, ch, insert]) => {
        const t = formatIpv6(b); const i = pos % (t.length + 1)
        return insert ? t.slice(0, i) + ch + t.slice(i) : t.slice(0, i) + t.slice(i + 1)
      })
    fc.assert(fc.property(fc.oneof(fc.string({ unit: alphabet, maxLength: 48 }), mutated, fc.string()), text => {
      let ours: Buffer | null = null
      try { ours = parseIpv6(text) } catch (err) { assert.ok(err instanceof Error) }
      const theirs = !text.includes('%') && net.isIPv6(text)
      assert.equal(ours != null, theirs, `disagree on ${JSON.stringify(text)}`)
      if (ours != null && !text.includes('.')) assert.equal(formatIpv6(ours), urlCanonical(text))
    }), { numRuns: 3000 })
  })

  it('rejects text that is not one plain IPv6 address', () => {
    for (const bad of ['', ':', ':::', '1::2::3', 'fd50::1%eth0', '[fd50::1]', ' fd50::1', 'fd50::1 ', 'fd50:1:2:3:4:5:6:7:8',
      'fd50:1:2:3:4:5:6', 'fd50::12345', 'fd50::g', '1.2.3.4', 'fd50::1.2.3.04', 'fd50::256.1.1.1', 'fd50::1.2.3.4:5', ':fd50::1', 'fd50::1:', 'fd50:::1']) {
      assert.throws(() => parseIpv6(bad), Error, bad)
    }
  })

  it('parseApAddress rejects valid IPv6 addresses outside fd50::/16 with a clear error', () => {
    for (const outside of ['::1', 'fd51::1', 'fc50::1', '2001:db8::1', 'fe80::fd50', '::ffff:1.2.3.4']) {
      assert.throws(() => parseApAddress(outside), /outside fd50::\/16/)
    }
    assert.throws(() => parseApAddress('not an address'), /not an IPv6 address/)
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), bytes => {
      const inside = bytes[0] === 0xfd && bytes[1] === 0x50
      assert.equal(isApAddress(bytes), inside)
      if (inside) assert.deepEqual(parseApAddress(formatIpv6(bytes)), Buffer.from(bytes))
      else assert.throws(() => parseApAddress(formatIpv6(bytes)), /outside fd50::\/16/)
    }), { numRuns: 300 })
  })

  it('isApAddress and formatApAddress insist on 16 bytes inside the prefix', () => {
    assert.equal(isApAddress(Buffer.from('fd50', 'hex')), false)
    assert.equal(isApAddress(Buffer.alloc(17, 0xfd)), false)
    assert.equal(isApAddress('fd50::1'), false)
    assert.throws(() => formatApAddress(Buffer.alloc(16)), RangeError)
    assert.throws(() => deriveApAddress(Buffer.alloc(31)), RangeError)
  })
})
