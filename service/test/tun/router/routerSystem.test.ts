import assert from 'node:assert/strict'
import { attachTunDevice } from '../../../src/tun/router/attachTunDevice.js'
import { PacketRouter } from '../../../src/tun/router/packetRouter.js'
import { type TunDevice } from '../../../src/tun/tunDevice.js'
import { FakeDatagramNetwork, FakeSessions } from '../helpers/fakeDatagramNetwork.js'
import { type JsonLineChild } from '../helpers/jsonLineChild.js'
import { addr } from '../helpers/routerTestPackets.js'
import { removeStaleNamespaces, requireRoot, TestNamespace } from '../helpers/testNamespace.js'
import { openTunInNamespace } from '../helpers/tunInNamespace.js'

const EXPOSED_PORT = 8080
const HIDDEN_PORT = 2222

interface Node { ns: TestNamespace, tun: TunDevice | null, router: PacketRouter | null }

/** Polls `condition` on later turns of the event loop until it holds or `timeoutMs` passes. */
async function waitUntil (condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise<void>((resolve) => { setTimeout(resolve, 20) })
  }
}

/**
 * Two network namespaces, each with a real TUN device phantom0 carrying an
 * AP address, driven by two PacketRouters in this process that are joined
 * by an in-memory fake session (no network between the namespaces at all).
 */
describe('tun/router: two namespaces joined through the routers (root)', function () {
  this.timeout(90_000)
  const nodes: Node[] = []
  const network = new FakeDatagramNetwork()

  before(async () => {
    requireRoot()
    await removeStaleNamespaces()
    for (const [ap, expose] of [['fd50::a', []], ['fd50::b', [EXPOSED_PORT]]] as const) {
      const node: Node = { ns: new TestNamespace(), tun: null, router: null }
      nodes.push(node)
      await node.ns.create()
      const tun = await openTunInNamespace(node.ns, ap)
      node.tun = tun
      const address = addr(ap)
      const router = new PacketRouter({
        sessions: new FakeSessions(address, network),
        localAddresses: [address],
        deliverToHost: (packet) => { tun.write(packet) },
        firewall: { expose: [...expose] }
      })
      node.router = router
      network.register(address, router)
      attachTunDevice(router, tun)
      tun.on('error', () => { tun.close() })
    }
  })

  after(async () => {
    for (const node of nodes) {
      node.router?.close()
      node.tun?.close()
    }
    for (const node of nodes) await node.ns.remove()
  })

  const node = (i: number): Node & { router: PacketRouter } => {
    const n = nodes[i]
    if (n?.router == null) throw new Error('setup failed')
    return n as Node & { router: PacketRouter }
  }

  it('ping -6 from one namespace reaches the other one\'s AP address and back, both ways', async () => {
    const ping = await node(0).ns.exec(['ping', '-6', '-n', '-c', '3', '-W', '5', 'fd50::b'], 40_000)
    assert.equal(ping.code, 0, `ping failed: ${ping.stdout}${ping.stderr}`)
    assert.match(ping.stdout, /3 packets transmitted, 3 received/)
    const back = await node(1).ns.exec(['ping', '-6', '-n', '-c', '2', '-W', '5', 'fd50::a'], 40_000)
    assert.equal(back.code, 0, `ping back failed: ${back.stdout}${back.stderr}`)
    assert.ok(node(1).router.stats.firewall.counters['accepted-ping'] >= 3)
    assert.ok(node(0).router.stats.firewall.counters['accepted-tracked'] >= 3, 'echo replies are let in as our flow')
  })

  it('says Destination Unreachable for an AP address nobody holds', async () => {
    const ping = await node(0).ns.exec(['ping', '-6', '-n', '-c', '1', '-W', '5', 'fd50::dead'], 40_000)
    assert.notEqual(ping.code, 0)
    assert.match(ping.stdout, /Destination unreachable: Address unreachable/, ping.stdout)
  })

  it('a TCP connection to the exposed port works; one to a port that is not exposed does not get through', async () => {
    const servers: JsonLineChild[] = []
    const clients: JsonLineChild[] = []
    try {
      for (const port of [EXPOSED_PORT, HIDDEN_PORT]) {
        const server = node(1).ns.spawnHelper('tcpProbe', ['--listen', '--address', 'fd50::b', '--port', String(port)])
        servers.push(server)
        await server.waitFor((e) => e.event === 'listening', `the server on ${port}`)
      }
      const client = node(0).ns.spawnHelper('tcpProbe', ['--connect', '--address', 'fd50::b', '--port', String(EXPOSED_PORT)])
      clients.push(client)
      const echoed = await client.waitFor((e) => e.event === 'echoed' || e.event === 'error', 'the echo over the exposed port', 30_000)
      assert.deepEqual(echoed, { event: 'echoed', data: 'hello over phantom0\n' })
      assert.ok(servers[0]?.events.some((e) => e.event === 'accepted'))

      const refusedBefore = node(1).router.stats.firewall.counters['dropped-refused-tcp']
      const hidden = node(0).ns.spawnHelper('tcpProbe', ['--connect', '--address', 'fd50::b', '--port', String(HIDDEN_PORT)])
      clients.push(hidden)
      // The first SYN and its retransmission are both refused by B's firewall.
      await waitUntil(() => node(1).router.stats.firewall.counters['dropped-refused-tcp'] >= refusedBefore + 2, 'two refused SYNs', 30_000)
      assert.equal(servers[1]?.events.some((e) => e.event === 'accepted'), false, 'the hidden server never saw a connection')
      assert.equal(hidden.events.some((e) => e.event === 'connected'), false)
    } finally {
      for (const child of [...clients, ...servers]) child.kill()
    }
  })
})
