import assert from 'node:assert/strict'
import { DiscoveryDialBackoff } from '../../src/link/discoveryDialBackoff.js'

describe('discovery dial back-off', () => {
  const options = { firstDelayMs: 1000, maxDelayMs: 8000, maxPeers: 3 }

  it('lets an unknown peer be dialled at once', () => {
    assert.equal(new DiscoveryDialBackoff(options).mayDial('a', 0), true)
  })

  it('doubles the wait after each failure up to the maximum', () => {
    const backoff = new DiscoveryDialBackoff(options)
    const delays = [1, 2, 3, 4, 5, 6].map(() => backoff.dialFailed('a', 0))
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000, 8000])
  })

  it('refuses a dial until the wait is over, then allows it', () => {
    const backoff = new DiscoveryDialBackoff(options)
    backoff.dialFailed('a', 10_000)
    backoff.dialFailed('a', 11_000) // second failure: 2 s from 11 s
    assert.equal(backoff.mayDial('a', 12_999), false)
    assert.equal(backoff.mayDial('a', 13_000), true)
    assert.equal(backoff.mayDial('b', 12_999), true)
  })

  it('forgets a peer once connected, so its next failure starts again from the first delay', () => {
    const backoff = new DiscoveryDialBackoff(options)
    backoff.dialFailed('a', 0)
    backoff.dialFailed('a', 0)
    backoff.connected('a')
    assert.equal(backoff.mayDial('a', 0), true)
    assert.equal(backoff.dialFailed('a', 0), 1000)
  })

  it('remembers at most maxPeers peers, forgetting the oldest failure first', () => {
    const backoff = new DiscoveryDialBackoff(options)
    for (const peer of ['a', 'b', 'c']) backoff.dialFailed(peer, 0)
    backoff.dialFailed('a', 0) // a is now the latest
    backoff.dialFailed('d', 0) // evicts b
    assert.equal(backoff.size, 3)
    assert.equal(backoff.mayDial('b', 0), true)
    assert.equal(backoff.mayDial('a', 0), false)
    assert.equal(backoff.mayDial('c', 0), false)
  })

  it('stays bounded under a flood of distinct peers', () => {
    const backoff = new DiscoveryDialBackoff(options)
    for (let i = 0; i < 10_000; i++) backoff.dialFailed(`p${i}`, i)
    assert.equal(backoff.size, 3)
  })
})
