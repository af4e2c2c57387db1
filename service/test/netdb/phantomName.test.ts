import assert from 'node:assert/strict'
import fc from 'fast-check'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { apAddressFromPhantomName, isPhantomName, parsePhantomName, phantomNameFromRoutingKey } from '../../src/netdb/phantomName.js'

const ONES_NAME = 'aeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaqcaibaeaq.phantom'

describe('.phantom names (PROTOCOL.md §3)', () => {
  it('encodes the pinned known answers (RFC 4648 base32, checked with Python base64.b32encode)', () => {
    assert.equal(phantomNameFromRoutingKey(Buffer.alloc(32, 1)), ONES_NAME)
    assert.equal(phantomNameFromRoutingKey(Uint8Array.from({ length: 32 }, (_, i) => i)), 'aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypq.phantom')
    assert.deepEqual(apAddressFromPhantomName(ONES_NAME).toString('hex'), 'fd507b138478d902f68d2ebf4335d757')
  })

  it('round-trips every key; upper and mixed case parse to the same key', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }), (key, caps) => {
      const name = phantomNameFromRoutingKey(key)
      assert.equal(name.length, 60)
      assert.match(name, /^[a-z2-7]{52}\.phantom$/)
      assert.deepEqual(parsePhantomName(name), Buffer.from(key))
      assert.deepEqual(parsePhantomName(name.toUpperCase()), Buffer.from(key))
      const mixed = [...name].map((c, i) => caps[i] === true ? c.toUpperCase() : c).join('')
      assert.deepEqual(parsePhantomName(mixed), Buffer.from(key))
      assert.ok(isPhantomName(mixed))
      assert.deepEqual(apAddressFromPhantomName(name), deriveApAddress(key))
    }), { numRuns: 300 })
  })

  it('rejects wrong length, alphabet, suffix and padding', () => {
    const label = ONES_NAME.slice(0, 52)
    const bad = [
      '', '.phantom', label, `${label}.phantom.`, `${label}.phant0m`, `${label}.onion`, `${label}.phantomx`,
      `${label.slice(1)}.phantom`, `${label}a.phantom`, `${label.slice(0, 51)}1.phantom`, `${label.slice(0, 51)}8.phantom`,
      `${label.slice(0, 51)}=.phantom`, `${label}====.phantom`, `x.${label}.phantom`, ` ${label}.phantom`, `${label.slice(0, 51)}\u212a.phantom`,
      `${label.slice(0, 51)}\u0131.phantom`
    ]
    for (const name of bad) {
      assert.throws(() => parsePhantomName(name), /not a \.phantom name/, JSON.stringify(name))
      assert.equal(isPhantomName(name), false)
    }
    assert.equal(isPhantomName(42), false)
  })

  it('rejects non-canonical labels whose unused trailing bits are set, so no two names map to one key', () => {
    // 52 × 5 = 260 bits carry 256: the last character's low 4 bits must be zero ("a" or "q" after "…ea").
    const label = ONES_NAME.slice(0, 51)
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
    let accepted = 0
    for (const c of alphabet) {
      const name = `${label}${c}.phantom`
      if (isPhantomName(name)) {
        accepted++
        assert.equal(phantomNameFromRoutingKey(parsePhantomName(name)), name)
      } else {
        assert.throws(() => parsePhantomName(name), /non-canonical/)
      }
    }
    assert.equal(accepted, 2)
  })

  it('random strings never parse unless canonical, and never throw anything but Error', () => {
    const near = fc.tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(70), fc.string({ maxLength: 2 }))
      .map(([key, pos, s]) => { const n = phantomNameFromRoutingKey(key); const i = pos % n.length; return n.slice(0, i) + s + n.slice(i + 1) })
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 80 }), near), text => {
      let key: Buffer | null = null
      try { key = parsePhantomName(text) } catch (err) { assert.ok(err instanceof Error) }
      if (key != null) assert.equal(phantomNameFromRoutingKey(key), text.toLowerCase())
    }), { numRuns: 2000 })
  })

  it('refuses keys that are not 32 bytes', () => {
    assert.throws(() => phantomNameFromRoutingKey(Buffer.alloc(31)), RangeError)
    assert.throws(() => phantomNameFromRoutingKey(Buffer.alloc(33)), RangeError)
  })
})
