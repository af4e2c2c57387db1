import assert from 'node:assert/strict'
import type { NetworkInterfaceInfo } from 'node:os'
import fc from 'fast-check'
import { multiaddr } from '@multiformats/multiaddr'
import { isLinkLocalIPv4, linkLocalIPv4Addresses, withLinkLocalAddresses } from '../../src/link/linkLocalAddresses.js'

const SELF = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

function v4 (address: string, internal = false): NetworkInterfaceInfo {
  return { address, family: 'IPv4', internal, netmask: '255.255.0.0', mac: '52:54:00:00:00:01', cidr: `${address}/16` }
}

describe('link-local announce addresses', () => {
  it('reads the IPv4 link-local addresses of the interfaces, nothing else', () => {
    const found = linkLocalIPv4Addresses({
      lo: [v4('127.0.0.1', true)],
      eth0: [v4('169.254.7.9'), v4('10.0.2.15'), { address: 'fe80::1', family: 'IPv6', internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '52:54:00:00:00:01', cidr: 'fe80::1/64', scopeid: 2 }],
      eth1: [v4('169.254.200.1'), v4('169.254.7.9')]
    })
    assert.deepEqual(found, ['169.254.200.1', '169.254.7.9'])
  })

  it('recognises only well-formed 169.254/16 addresses', () => {
    assert.ok(isLinkLocalIPv4('169.254.0.1'))
    for (const bad of ['169.255.0.1', '10.169.254.1', '169.254.1', '169.254.1.256', '169.254.01.1', '169.254.1.1.1', '']) {
      assert.equal(isLinkLocalIPv4(bad), false, bad)
    }
    fc.assert(fc.property(fc.ipV4(), (ip) => {
      assert.equal(isLinkLocalIPv4(ip), ip.startsWith('169.254.'))
    }))
  })

  it('adds link-local addresses on the port of a wildcard listener, with the peer id', () => {
    const addrs = [multiaddr(`/ip4/127.0.0.1/tcp/4821/p2p/${SELF}`)]
    const out = withLinkLocalAddresses(addrs, ['/ip4/0.0.0.0/tcp/4821'], ['169.254.7.9']).map(String)
    assert.deepEqual(out, [`/ip4/127.0.0.1/tcp/4821/p2p/${SELF}`, `/ip4/169.254.7.9/tcp/4821/p2p/${SELF}`])
  })

  it('takes the port a wildcard listener on port 0 got, not an explicit listener\'s', () => {
    const addrs = [multiaddr(`/ip4/127.0.0.1/tcp/40001/p2p/${SELF}`), multiaddr(`/ip4/127.0.0.1/tcp/5000/p2p/${SELF}`)]
    const out = withLinkLocalAddresses(addrs, ['/ip4/0.0.0.0/tcp/0', '/ip4/127.0.0.1/tcp/5000'], ['169.254.1.2']).map(String)
    assert.deepEqual(out.slice(2), [`/ip4/169.254.1.2/tcp/40001/p2p/${SELF}`])
  })

  it('adds nothing without a wildcard IPv4 listener or without link-local addresses', () => {
    const addrs = [multiaddr(`/ip4/127.0.0.1/tcp/4821/p2p/${SELF}`)]
    assert.equal(withLinkLocalAddresses(addrs, ['/ip4/127.0.0.1/tcp/4821'], ['169.254.7.9']), addrs)
    assert.equal(withLinkLocalAddresses(addrs, ['/ip6/::/tcp/4821'], ['169.254.7.9']), addrs)
    assert.equal(withLinkLocalAddresses(addrs, ['/ip4/0.0.0.0/tcp/4821'], []), addrs)
    assert.equal(withLinkLocalAddresses(addrs, ['not a multiaddr'], ['169.254.7.9']), addrs)
  })

  it('keeps the input first and never duplicates (property)', () => {
    const linkLocal = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([a, b]) => `169.254.${a}.${b}`)
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 65535 }), { maxLength: 4 }),
      fc.array(linkLocal, { maxLength: 4 }),
      fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 65535 })), { maxLength: 3 }),
      (ports, lls, listenPorts) => {
        const addrs = [...new Set(ports)].map(p => multiaddr(`/ip4/127.0.0.1/tcp/${p}/p2p/${SELF}`))
        const listen = listenPorts.map(p => `/ip4/0.0.0.0/tcp/${p}`)
        const out = withLinkLocalAddresses(addrs, listen, lls).map(String)
        assert.deepEqual(out.slice(0, addrs.length), addrs.map(String))
        assert.equal(new Set(out).size, out.length)
        for (const extra of out.slice(addrs.length)) {
          assert.match(extra, new RegExp(`^/ip4/169\\.254\\.\\d+\\.\\d+/tcp/\\d+/p2p/${SELF}$`))
        }
        // a second pass adds nothing new
        assert.deepEqual(withLinkLocalAddresses(out.map(a => multiaddr(a)), listen, lls).map(String), out)
      }))
  })
})
