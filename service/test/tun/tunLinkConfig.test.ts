import assert from 'node:assert/strict'
import fc from 'fast-check'
import { addLinkAddress, addLinkRoute, configureTunLink, deleteLink, ipCommandRunner, LinkConfigError, setLinkMtu, type IpCommandRunner } from '../../src/tun/tunLinkConfig.js'

function recorder (): { run: IpCommandRunner, calls: string[][] } {
  const calls: string[][] = []
  return { calls, run: async (args) => { calls.push([...args]) } }
}

describe('tun/tunLinkConfig', () => {
  it('configures MTU, up, /128 addresses and the fd50::/16 route, in that order, as argument vectors', async () => {
    const { run, calls } = recorder()
    await configureTunLink('phantom0', { mtu: 9000, addresses: ['fd50::1', 'fd50:1234::abcd'] }, run)
    assert.deepEqual(calls, [
      ['link', 'set', 'dev', 'phantom0', 'mtu', '9000'],
      ['link', 'set', 'dev', 'phantom0', 'up'],
      ['-6', 'address', 'replace', 'fd50::1/128', 'dev', 'phantom0', 'nodad'],
      ['-6', 'address', 'replace', 'fd50:1234::abcd/128', 'dev', 'phantom0', 'nodad'],
      ['-6', 'route', 'replace', 'fd50::/16', 'dev', 'phantom0']
    ])
    await deleteLink('phantom0', run)
    assert.deepEqual(calls.at(-1), ['link', 'delete', 'dev', 'phantom0'])
  })

  it('with the IPv4 mapping: the own address as /32, then the prefix routed from it with the IPv4 MTU, after the IPv6 part', async () => {
    const { run, calls } = recorder()
    await configureTunLink('phantom0', { mtu: 65273, addresses: ['fd50::1'], ipv4: { address: '100.64.0.1', prefix: '100.64.0.0/10', mtu: 65253 } }, run)
    assert.deepEqual(calls.slice(-2), [
      ['-4', 'address', 'replace', '100.64.0.1/32', 'dev', 'phantom0'],
      ['-4', 'route', 'replace', '100.64.0.0/10', 'dev', 'phantom0', 'src', '100.64.0.1', 'mtu', '65253']
    ])
    const bad = [
      { address: '100.64.0.1', prefix: '100.64.0.1/10', mtu: 1480 },
      { address: 'fd50::1', prefix: '100.64.0.0/10', mtu: 1480 },
      { address: '100.64.0.1', prefix: '100.64.0.0/10', mtu: 67 }
    ]
    const before = calls.length
    for (const ipv4 of bad) await assert.rejects(configureTunLink('phantom0', { mtu: 1500, addresses: [], ipv4 }, run), /host bits|invalid IPv4/)
    assert.equal(calls.length, before, 'nothing ran')
  })

  it('validates everything before running anything', async () => {
    const { run, calls } = recorder()
    await assert.rejects(configureTunLink('phantom0', { mtu: 9000, addresses: ['fd50::1', '10.0.0.1'] }, run), /invalid IPv6 address/)
    await assert.rejects(configureTunLink('phantom0', { mtu: 1279, addresses: [] }, run), /invalid MTU/)
    await assert.rejects(configureTunLink('phantom0', { mtu: 65536, addresses: [] }, run), /invalid MTU/)
    await assert.rejects(configureTunLink('phantom0', { mtu: 1500, addresses: [], routes: ['fd50::/129'] }, run), /invalid IPv6 prefix/)
    await assert.rejects(configureTunLink('ph 0', { mtu: 1500, addresses: [] }, run), /invalid interface name/)
    await assert.rejects(addLinkAddress('phantom0', 'fd50::1/128', run), /invalid IPv6 address/)
    await assert.rejects(addLinkAddress('phantom0', 'fe80::1%eth0', run), /invalid IPv6 address/)
    await assert.rejects(addLinkRoute('phantom0', 'fd50::', run), /invalid IPv6 prefix/)
    await assert.rejects(setLinkMtu('phantom0', 1500.5, run), /invalid MTU/)
    assert.deepEqual(calls, [])
  })

  it('never lets an argument that could be an option or a second word through', async () => {
    let accepted = 0
    const names = fc.oneof(fc.constantFrom('phantom0', 'ph-1', 'a.b_c'), fc.string({ maxLength: 20 }))
    const addresses = fc.oneof(fc.ipV6(), fc.string({ maxLength: 40 }))
    await fc.assert(fc.asyncProperty(names, addresses, async (name, address) => {
      const { run, calls } = recorder()
      try { await addLinkAddress(name, address, run) } catch (error) {
        assert.ok(error instanceof RangeError)
        assert.equal(calls.length, 0)
        return
      }
      accepted++
      const args = calls[0] as string[]
      assert.match(args[5] as string, /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/)
      assert.match(args[3] as string, /^[0-9a-fA-F:.]+\/128$/)
    }), { numRuns: 300 })
    assert.ok(accepted > 0, 'the generators produced no valid case at all')
  })

  it('reports a failing ip command with the command line and its stderr', async () => {
    const run = ipCommandRunner(process.execPath) // "node link set ..." fails and prints to stderr
    await assert.rejects(setLinkMtu('phantom0', 1500, run), (e: Error) => e instanceof LinkConfigError && /failed \(exit \d+\)/.test(e.message) && /link/.test(e.message))
    await assert.rejects(setLinkMtu('phantom0', 1500, ipCommandRunner('/nonexistent/ip')), /iproute2\) was not found/)
  })
})
