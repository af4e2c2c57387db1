import assert from 'node:assert/strict'
import { TokenBucket } from '../../src/rateLimit/tokenBucket.js'

describe('rateLimit: token bucket', () => {
  it('a burst, then the rate', () => {
    let now = 0
    const bucket = new TokenBucket(10, 3, () => now)
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false])
    now += 100
    assert.deepEqual([bucket.take(), bucket.take()], [true, false])
    now += 10_000
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false])
  })
})
