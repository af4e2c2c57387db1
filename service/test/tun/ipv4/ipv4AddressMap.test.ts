import assert from 'node:assert/strict'
import { Ipv4AddressMap } from '../../../src/tun/ipv4/ipv4AddressMap.js'
import { formatIpv4Address, ipv4PrefixProblem, parseIpv4Prefix, prefixContains } from '../../../src/tun/ipv4/ipv4Prefix.js'
import { addr } from '../helpers/routerTestPackets.js'
import { ManualClock } from '../helpers/routerPair.js'

const ap = (n: number): Buffer => { const a = addr('fd50::'); a.writeUInt32BE(n, 12); return a }

describe('tun/ipv4: the prefix and the AP address ↔ IPv4 map', () => {
  it('parses the prefix strictly and says what is wrong', () => {
    assert.deepEqual(parseIpv4Prefix('100.64.0.0/10'), { network: 0x64400000, length: 10 })
    assert.equal(ipv4PrefixProblem('100.64.0.0/10'), undefined)
    assert.match(ipv4PrefixProblem('100.64.0.1/10') ?? '', /host bits set: the network is 100\.64\.0\.0\/10/)
    assert.match(ipv4PrefixProblem('100.64.0.0/25') ?? '', /prefix length from 8 to 24, got \/25/)
    assert.match(ipv4PrefixProblem('100.64.0.0') ?? '', /expected an IPv4 prefix such as 100\.64\.0\.0\/10/)
    assert.match(ipv4PrefixProblem('300.64.0.0/10') ?? '', /expected an IPv4 prefix/)
    assert.match(ipv4PrefixProblem('fd50::/16') ?? '', /expected an IPv4 prefix/)
    const prefix = parseIpv4Prefix('100.64.0.0/10')
    assert.ok(prefixContains(prefix, 0x647fffff) && !prefixContains(prefix, 0x64800000) && !prefixContains(prefix, 0x0a000001))
  })

  it('hands out addresses in order from the prefix\'s second host address; the first is the node\'s own; the same AP address keeps its address', () => {
    const map = new Ipv4AddressMap({ prefix: parseIpv4Prefix('100.64.0.0/10') })
    assert.equal(formatIpv4Address(map.ownAddress), '100.64.0.1')
    const first = map.addressFor(ap(1))
    const second = map.addressFor(ap(2))
    assert.deepEqual([first, second].map((a) => formatIpv4Address(a!)), ['100.64.0.2', '100.64.0.3'])
    assert.equal(map.addressFor(ap(1)), first)
    assert.ok(map.apFor(second!)?.equals(ap(2)))
    assert.equal(map.apFor(0x64400009), undefined)
    assert.equal(map.addressOf(ap(2).toString('hex')), second)
    assert.equal(map.addressOf(ap(3).toString('hex')), undefined, 'addressOf never allocates')
    assert.ok(!map.isMappable(map.ownAddress) && !map.isMappable(0x64400000) && !map.isMappable(0x647fffff) && map.isMappable(0x647ffffe))
    assert.throws(() => map.addressFor(addr('fe80::1')), /not an AP address/)
  })

  it('is bounded: when full, a mapping idle for the reuse time makes room (the next address in order, not the freed one); a table of recent mappings refuses', () => {
    const clock = new ManualClock()
    const map = new Ipv4AddressMap({ prefix: parseIpv4Prefix('10.0.0.0/24'), maxMappings: 3, minIdleBeforeReuseMs: 60_000, now: clock.now })
    const a = [1, 2, 3].map((n) => map.addressFor(ap(n)))
    assert.deepEqual(a.map((x) => formatIpv4Address(x!)), ['10.0.0.2', '10.0.0.3', '10.0.0.4'])
    clock.advance(59_000)
    map.apFor(a[0]!) // ap(1) used again: ap(2) is now the stalest
    assert.equal(map.addressFor(ap(4)), undefined, 'nothing idle long enough')
    assert.equal(map.stats.exhausted, 1)
    clock.advance(2_000)
    assert.equal(formatIpv4Address(map.addressFor(ap(4))!), '10.0.0.5')
    assert.equal(map.apFor(a[1]!), undefined, 'ap(2), the least recently used, was dropped')
    assert.ok(map.apFor(a[0]!)?.equals(ap(1)))
    assert.deepEqual(map.stats, { mappings: 3, allocated: 4, reused: 1, exhausted: 1 })
  })

  it('wraps around a small prefix, skipping addresses still held', () => {
    const clock = new ManualClock()
    const map = new Ipv4AddressMap({ prefix: parseIpv4Prefix('10.0.0.0/24'), minIdleBeforeReuseMs: 0, now: clock.now })
    for (let n = 1; n <= 253; n++) assert.notEqual(map.addressFor(ap(n)), undefined)
    assert.equal(map.stats.mappings, 253, '10.0.0.2 … 10.0.0.254')
    clock.advance(5_000)
    for (let n = 2; n <= 253; n++) map.apFor(map.addressFor(ap(n))!)
    assert.equal(formatIpv4Address(map.addressFor(ap(999))!), '10.0.0.2', 'ap(1), the stalest, gave way; the cursor wrapped to its address')
  })
})
