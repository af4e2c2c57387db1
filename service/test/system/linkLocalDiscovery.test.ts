import assert from 'node:assert/strict'
import { ProcessNode } from '../harness/processNode.js'
import { waitFor } from '../harness/waitFor.js'
import { mustRun, requireRoot, TestNamespace } from '../tun/helpers/testNamespace.js'

/**
 * Two appliances on a LAN without a DHCP server (two PCs on a bare switch):
 * each has only an IPv4 link-local address (169.254/16) and the multicast
 * route the appliance's systemd-networkd configuration gives every wired NIC
 * (224.0.0.0/4 on the link, for mDNS), no default route. They must find each
 * other by mDNS and connect over their link-local addresses. Each node runs in
 * its own network namespace, joined by a veth pair; nothing leaves the machine.
 */
describe('mDNS discovery on a LAN without DHCP: link-local addresses only (network namespaces, root)', function () {
  this.timeout(120_000)
  const lanA = new TestNamespace()
  const lanB = new TestNamespace()
  const nodes: ProcessNode[] = []
  const addressA = '169.254.77.1'
  const addressB = '169.254.77.2'

  before(async () => {
    requireRoot()
    await lanA.create()
    await lanB.create()
    const vethA = `pl${process.pid % 100000}a`
    const vethB = `pl${process.pid % 100000}b`
    await mustRun('ip', ['link', 'add', vethA, 'netns', lanA.name, 'type', 'veth', 'peer', 'name', vethB, 'netns', lanB.name])
    await mustRun('ip', ['-n', lanA.name, 'address', 'add', `${addressA}/16`, 'dev', vethA])
    await mustRun('ip', ['-n', lanB.name, 'address', 'add', `${addressB}/16`, 'dev', vethB])
    await mustRun('ip', ['-n', lanA.name, 'link', 'set', vethA, 'up', 'multicast', 'on'])
    await mustRun('ip', ['-n', lanB.name, 'link', 'set', vethB, 'up', 'multicast', 'on'])
    await mustRun('ip', ['-n', lanA.name, 'route', 'add', '224.0.0.0/4', 'dev', vethA])
    await mustRun('ip', ['-n', lanB.name, 'route', 'add', '224.0.0.0/4', 'dev', vethB])
    for (const [ns, name] of [[lanA, 'lanA'], [lanB, 'lanB']] as const) {
      nodes.push(await ProcessNode.create({
        name,
        netns: ns.name,
        bootstrap: [],
        config: { mdns: true, listen: ['/ip4/0.0.0.0/tcp/4821'] }
      }))
    }
    await Promise.all(nodes.map(async n => { await n.start() }))
  })

  after(async () => {
    await Promise.all(nodes.map(async n => { await n.destroy() }))
    await lanA.remove()
    await lanB.remove()
  })

  it('each node announces its link-local address', async () => {
    const [a, b] = nodes as [ProcessNode, ProcessNode]
    const [sa, sb] = await Promise.all([a.status(), b.status()])
    assert.ok(sa.listen.some(m => m.startsWith(`/ip4/${addressA}/tcp/4821/p2p/`)), `A announces ${addressA}: ${sa.listen.join(' ')}`)
    assert.ok(sb.listen.some(m => m.startsWith(`/ip4/${addressB}/tcp/4821/p2p/`)), `B announces ${addressB}: ${sb.listen.join(' ')}`)
  })

  it('each node lists the other as a peer, connected over the link-local addresses', async () => {
    const [a, b] = nodes as [ProcessNode, ProcessNode]
    type Peer = { peerId: string, addresses: string[] }
    const [pa, pb] = await waitFor('both nodes see each other', async () => {
      const [pa, pb] = await Promise.all([a.call<Peer[]>('peers'), b.call<Peer[]>('peers')])
      const atA = pa.find(p => p.peerId === b.peerId)
      const atB = pb.find(p => p.peerId === a.peerId)
      return atA != null && atB != null ? [atA, atB] as const : undefined
    }, 60_000, 250)
    assert.ok([...pa.addresses, ...pb.addresses].some(m => m.startsWith(`/ip4/${addressA}/`) || m.startsWith(`/ip4/${addressB}/`)),
      `connection over link-local: ${pa.addresses.join(' ')} / ${pb.addresses.join(' ')}`)
  })
})
