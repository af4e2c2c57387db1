import assert from 'node:assert/strict'
import fc from 'fast-check'
import { formatDuration, parseDuration } from '../../src/config/index.js'

describe('config durations', () => {
  it('parses every unit and compounds into milliseconds', () => {
    assert.equal(parseDuration('500ms'), 500)
    assert.equal(parseDuration('90s'), 90_000)
    assert.equal(parseDuration('20m'), 1_200_000)
    assert.equal(parseDuration('1h'), 3_600_000)
    assert.equal(parseDuration('2d'), 172_800_000)
    assert.equal(parseDuration('1h30m'), 5_400_000)
    assert.equal(parseDuration('0s'), 0)
  })

  it('refuses everything else', () => {
    for (const text of ['', '1', '20', 'm', '1.5h', '-1s', ' 1s', '1s ', '1 s', '1H', '1w', '1sm', 'h1', '1e3s', '１s', `${'9'.repeat(40)}s`, '99999999999999999999d']) {
      assert.equal(parseDuration(text), undefined, text)
    }
  })

  it('formats the shortest compound form', () => {
    assert.equal(formatDuration(0), '0s')
    assert.equal(formatDuration(500), '500ms')
    assert.equal(formatDuration(90_000), '1m30s')
    assert.equal(formatDuration(86_400_000), '1d')
    assert.equal(formatDuration(90_061_001), '1d1h1m1s1ms')
    assert.throws(() => formatDuration(-1), RangeError)
    assert.throws(() => formatDuration(Number.NaN), RangeError)
  })

  it('formatDuration and parseDuration round-trip (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 30 * 86_400_000 }), (ms) => {
      assert.equal(parseDuration(formatDuration(ms)), ms)
    }), { numRuns: 500 })
  })

  it('never throws on arbitrary text (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (text) => {
      const ms = parseDuration(text)
      assert.ok(ms === undefined || (Number.isSafeInteger(ms) && ms >= 0))
    }), { numRuns: 500 })
  })
})
