import assert from 'node:assert/strict'
import fc from 'fast-check'
import { randomBytes } from '../../src/crypto/index.js'
import { deriveTunnelKeySet, TerminatingHop, TunnelHop } from '../../src/tunnel/index.js'
import { randomApAddress } from './tunnelChain.js'

const anyBytes = fc.uint8Array({ minLength: 0, maxLength: 140 })

describe('hops facing untrusted bytes', () => {
  const keys = deriveTunnelKeySet(randomBytes(32), 4)

  it('a relay never throws and accepts nothing it did not cache', () => {
    const hop = new TunnelHop(keys, { cache: { maxEntries: 64 } })
    fc.assert(fc.property(anyBytes, anyBytes, (a, b) => {
      const out = hop.acceptFirstBlock(a)
      if (a.length !== 64) assert.equal(out, null)
      else if (out != null) assert.equal(out.length, 64)
      assert.equal(hop.backwardStep(a, b), null)
    }), { numRuns: 300 })
    assert.ok(hop.pendingCount <= 64)
  })

  it('the terminating node never throws and rejects foreign, garbled or replayed blocks', () => {
    const xn = new TerminatingHop(keys)
    const answer = xn.answerProbe(randomBytes(64))!
    fc.assert(fc.property(anyBytes, anyBytes, (a, b) => {
      assert.equal(xn.readReply(answer.pending, a), null)
      assert.equal(xn.acceptOwnerBlocks(a, b), null)
      assert.equal(xn.acceptOwnerDummy(a), a.length === 64)
    }), { numRuns: 300 })
    assert.equal(xn.answerProbe(randomBytes(63)), null)
    // An inbound cache entry with a wrong reply is consumed and cannot be retried.
    const cached = xn.startInbound(randomApAddress())!
    assert.equal(xn.acceptOwnerBlocks(cached, randomBytes(64)), null)
    assert.equal(xn.acceptOwnerBlocks(cached, randomBytes(64)), null)
  })
})
