import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { filterDiverseCandidates, networkGroup, networkGroups } from '../../src/netdb/diversityFilter.js'
import type { DiversityCandidate } from '../../src/netdb/diversityFilter.js'

interface Node extends DiversityCandidate { name: string }
const node = (name: string, ...addrs: string[]): Node => ({ name, multiaddrs: addrs.map(a => multiaddr(a)) })
const names = (list: Node[]): string[] => list.map(n => n.name)

describe('diversity filter (no two path members in one IPv4 /16 or IPv6 /48)', () => {
  it('groups IPv4 by /16 and IPv6 by /48, from objects or bytes; IPv4-mapped IPv6 counts as IPv4', () => {
    assert.equal(networkGroup(multiaddr('/ip4/10.1.2.3/tcp/1')), 'ip4:10.1')
    assert.equal(networkGroup(multiaddr('/ip4/10.1.2.3/tcp/1').bytes), 'ip4:10.1')
    assert.equal(networkGroup(multiaddr('/ip6/2001:db8:abcd:1::1/tcp/1')), 'ip6:20010db8abcd')
    assert.equal(networkGroup(multiaddr('/ip6/::ffff:10.1.9.9/tcp/1')), 'ip4:10.1')
    assert.equal(networkGroup(multiaddr('/dns4/example.org/tcp/1')), null)
    assert.equal(networkGroup(Uint8Array.from([0xff, 0xff])), null)
    assert.deepEqual(networkGroups([multiaddr('/ip4/10.1.2.3/tcp/1'), multiaddr('/ip4/10.1.7.7/udp/1'), multiaddr('/ip6/2001:db8::1/tcp/1')]), ['ip4:10.1', 'ip6:20010db80000'])
  })

  it('keeps the first candidate of each network and skips later ones sharing any announced address network', () => {
    const list = [
      node('a', '/ip4/10.1.0.1/tcp/1'),
      node('b', '/ip4/10.1.200.9/tcp/1'), // same /16 as a
      node('c', '/ip4/10.2.0.1/tcp/1', '/ip6/2001:db8:1::1/tcp/1'),
      node('d', '/ip6/2001:db8:1:ffff::2/tcp/1'), // same /48 as c's second address
      node('e', '/ip6/2001:db8:2::1/tcp/1', '/ip4/10.3.0.1/tcp/1'),
      node('f', '/ip4/10.4.0.1/tcp/1', '/ip4/10.3.5.5/tcp/1'), // its second address shares e's /16
      node('g', '/dns4/example.org/tcp/1') // no IP: cannot be placed
    ]
    assert.deepEqual(names(filterDiverseCandidates(list)), ['a', 'c', 'e'])
    assert.deepEqual(names(filterDiverseCandidates(list, { taken: ['ip4:10.1'] })), ['c', 'e'])
    assert.deepEqual(names(filterDiverseCandidates(list, { enabled: false })), ['a', 'b', 'c', 'd', 'e', 'f', 'g'])
  })

  it('loopback networks collapse to one node unless relaxed', () => {
    const local = Array.from({ length: 5 }, (_, i) => node(`n${i}`, `/ip4/127.0.0.1/tcp/${4000 + i}`, `/ip6/::1/tcp/${4000 + i}`))
    assert.deepEqual(names(filterDiverseCandidates(local)), ['n0'])
    assert.equal(filterDiverseCandidates(local, { enabled: false }).length, 5)
  })

  it('property: kept candidates never share a group, every skipped one conflicts with an earlier kept one, input untouched', () => {
    const addr = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })).map(([a, b, c]) => multiaddr(`/ip4/10.${a}.${b}.${c}/tcp/1`)),
      fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff })).map(([a, b]) => multiaddr(`/ip6/2001:db8:${a}:${b.toString(16)}::1/tcp/1`).bytes)
    )
    const candidates = fc.array(fc.record({ name: fc.string(), multiaddrs: fc.array(addr, { minLength: 1, maxLength: 3 }) }), { maxLength: 12 })
    fc.assert(fc.property(candidates, list => {
      const copy = [...list]
      const kept = filterDiverseCandidates(list)
      assert.deepEqual(list, copy)
      const seen = new Set<string>()
      for (const c of kept) {
        for (const g of networkGroups(c.multiaddrs)) { assert.ok(!seen.has(g), g); seen.add(g) }
      }
      for (const c of list) {
        if (kept.includes(c)) continue
        assert.ok(networkGroups(c.multiaddrs).some(g => seen.has(g)))
      }
      assert.deepEqual(filterDiverseCandidates(list, { enabled: false }), list)
    }), { numRuns: 300 })
  })
})
