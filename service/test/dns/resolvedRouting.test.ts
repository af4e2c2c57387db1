import assert from 'node:assert/strict'
import { phantomRoutingCommands, phantomUnroutingCommands, resolvectlServer, routePhantomDomain } from '../../src/dns/resolvedRouting.js'

describe('systemd-resolved routing of ~phantom (argument construction only)', () => {
  it('builds the resolvectl calls for a link and the resolver address', async () => {
    assert.deepEqual(phantomRoutingCommands('phantom0', { host: '127.0.80.53', port: 53 }), [
      ['dns', 'phantom0', '127.0.80.53'],
      ['domain', 'phantom0', '~phantom'],
      ['default-route', 'phantom0', 'false']
    ])
    assert.equal(resolvectlServer({ host: '127.0.0.1', port: 5353 }), '127.0.0.1:5353')
    assert.equal(resolvectlServer({ host: '::1', port: 5353 }), '[::1]:5353')
    assert.equal(resolvectlServer({ host: '::1', port: 53 }), '::1')
    assert.deepEqual(phantomUnroutingCommands('phantom0'), [['revert', 'phantom0']])
    const ran: string[][] = []
    await routePhantomDomain('phantom0', { host: '127.0.80.53', port: 53 }, async (args) => { ran.push([...args]) })
    assert.equal(ran.length, 3)
  })

  it('refuses link names that are not interface names, and bad ports', () => {
    for (const link of ['', 'a b', '-x', 'phantom0; rm -rf /', 'x'.repeat(16)]) {
      assert.throws(() => phantomRoutingCommands(link, { host: '127.0.80.53', port: 53 }), /invalid interface name/)
    }
    assert.throws(() => phantomRoutingCommands('phantom0', { host: '127.0.80.53', port: 0 }), /invalid DNS port/)
  })
})
