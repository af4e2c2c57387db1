import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { isAllowedAddress, type AddressPolicy } from '../../src/link/addressPolicy.js'

const MAPPING: [number, number] = [0x64400000, 10] // 100.64.0.0/10

describe('link/addressPolicy: what a node dials and announces', () => {
  it('never the Phantom interface\'s own addresses (AP addresses, the IPv4 mapping), whatever allowPrivateAddresses says', () => {
    for (const allowPrivateAddresses of [true, false]) {
      const policy: AddressPolicy = { allowPrivateAddresses, ipv4MappingPrefix: MAPPING }
      for (const a of ['/ip6/fd50::1/tcp/4821', '/ip6/fd50:1234::abcd/tcp/4821', '/ip4/100.64.0.1/tcp/4821', '/ip4/100.127.255.254/tcp/1']) {
        assert.equal(isAllowedAddress(multiaddr(a), policy), false, `${a} with allowPrivateAddresses ${String(allowPrivateAddresses)}`)
      }
    }
  })

  it('private addresses only with allowPrivateAddresses; public ones always; 100.64/10 like any private range once the mapping uses another prefix', () => {
    const lan: AddressPolicy = { allowPrivateAddresses: true, ipv4MappingPrefix: [0x0a630000, 16] } // 10.99.0.0/16
    const internet: AddressPolicy = { allowPrivateAddresses: false, ipv4MappingPrefix: MAPPING }
    assert.equal(isAllowedAddress(multiaddr('/ip4/192.168.1.5/tcp/4821'), lan), true)
    assert.equal(isAllowedAddress(multiaddr('/ip4/100.64.0.1/tcp/4821'), lan), true, 'not the mapping prefix on this node')
    assert.equal(isAllowedAddress(multiaddr('/ip4/10.99.0.1/tcp/4821'), lan), false, 'this node\'s mapping prefix')
    assert.equal(isAllowedAddress(multiaddr('/ip6/fd00::5/tcp/4821'), lan), true, 'a ULA outside fd50::/16')
    assert.equal(isAllowedAddress(multiaddr('/ip4/192.168.1.5/tcp/4821'), internet), false)
    assert.equal(isAllowedAddress(multiaddr('/ip4/8.8.8.8/tcp/4821'), internet), true, 'a public address (documentation ranges count as private)')
    assert.equal(isAllowedAddress(multiaddr('/ip4/100.64.0.1/tcp/4821'), { allowPrivateAddresses: true }), true, 'no mapping: no exclusion but fd50::/16')
  })

  it('never, and without throwing, an /ip6 address whose text the IPv6 parser refuses (a zone: fe80::1%eth0)', () => {
    // a multiaddr cannot be written with a zone; an object that hands one over stands for any future source of such text
    const zoned = { getComponents: () => [{ name: 'ip6', code: 41, value: 'fe80::1%eth0' }, { name: 'tcp', code: 6, value: '4821' }] } as unknown as Parameters<typeof isAllowedAddress>[0]
    for (const allowPrivateAddresses of [true, false]) {
      assert.equal(isAllowedAddress(zoned, { allowPrivateAddresses, ipv4MappingPrefix: MAPPING }), false)
    }
  })

  it('never an address that starts with a DNS name, whatever allowPrivateAddresses says (the operator\'s names are looked up before this check: operatorNames.ts)', () => {
    for (const allowPrivateAddresses of [true, false]) {
      const policy: AddressPolicy = { allowPrivateAddresses, ipv4MappingPrefix: MAPPING }
      for (const a of ['/dns4/node.example.org/tcp/4821', '/dns6/node.example.org/tcp/4821', '/dns/node.example.org/tcp/4821', '/dnsaddr/node.example.org', '/dns4/localhost/tcp/4821']) {
        assert.equal(isAllowedAddress(multiaddr(a), policy), false, `${a} with allowPrivateAddresses ${String(allowPrivateAddresses)}`)
      }
    }
  })
})
