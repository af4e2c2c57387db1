import assert from 'node:assert/strict'
import { ProcessNode } from '../harness/processNode.js'
import { waitFor } from '../harness/waitFor.js'
import { mustRun, requireRoot, TestNamespace } from '../tun/helpers/testNamespace.js'

/**
 * Two nodes on one LAN with no bootstrap list and no peer cache find each
 * other by mDNS alone, as appliances on a LAN do. Each node runs in its own
 * network namespace; a veth pair is the LAN (10.77.0.0/24, inside the test's
 * own namespaces; nothing leaves the machine).
 */
describe('mDNS discovery on a LAN (network namespaces, root)', function () {
  this.timeout(120_000)
  const lanA = new TestNamespace()
  const lanB = new TestNamespace()
  const nodes: ProcessNode[] = []

  before(async () => {
    requireRoot()
    await lanA.create()
    await lanB.create()
    const vethA = `ph${process.pid % 100000}a`
    const vethB = `ph${process.pid % 100000}b`
    await mustRun('ip', ['link', 'add', vethA, 'netns', lanA.name, 'type', 'veth', 'peer', 'name', vethB, 'netns', lanB.name])
    await mustRun('ip', ['-n', lanA.name, 'address', 'add', '10.77.0.1/24', 'dev', vethA])
    await mustRun('ip', ['-n', lanB.name, 'address', 'add', '10.77.0.2/24', 'dev', vethB])
    await mustRun('ip', ['-n', lanA.name, 'link', 'set', vethA, 'up', 'multicast', 'on'])
    await mustRun('ip', ['-n', lanB.name, 'link', 'set', vethB, 'up', 'multicast', 'on'])
    // as on a DHCP LAN, the LAN link carries the default route (and with it multicast to 224.0.0.251)
    await mustRun('ip', ['-n', lanA.name, 'route', 'add', 'default', 'dev', vethA])
    await mustRun('ip', ['-n', lanB.name, 'route', 'add', 'default', 'dev', vethB])
    for (const [ns, name] of [[lanA, 'lanA'], [lanB, 'lanB']] as const) {
      const node = await ProcessNode.create({
        name,
        netns: ns.name,
        bootstrap: [],
        config: { mdns: true, listen: ['/ip4/0.0.0.0/tcp/4821'] }
      })
      nodes.push(node)
    }
    await Promise.all(nodes.map(async n => { await n.start() }))
  })

  after(async () => {
    await Promise.all(nodes.map(async n => { await n.destroy() }))
    await lanA.remove()
    await lanB.remove()
  })

  it('each node lists the other as a peer and their DHT is joined', async () => {
    const [a, b] = nodes as [ProcessNode, ProcessNode]
    await waitFor('both nodes see each other', async () => {
      const [pa, pb] = await Promise.all([a.call<Array<{ peerId: string }>>('peers'), b.call<Array<{ peerId: string }>>('peers')])
      return pa.some(p => p.peerId === b.peerId) && pb.some(p => p.peerId === a.peerId)
    }, 60_000, 250)
    const got = await waitFor('node record of B readable at A', async () => {
      try {
        return await a.call<{ record: { peerId: string, multiaddrs: string[] } }>('netdb.get', { key: b.peerId })
      } catch {
        return undefined
      }
    }, 60_000, 500)
    assert.equal(got.record.peerId, b.peerId)
    assert.ok(got.record.multiaddrs.some(m => m.startsWith('/ip4/10.77.0.2/')), `B's record lists its LAN address: ${got.record.multiaddrs.join(' ')}`)
  })
})
