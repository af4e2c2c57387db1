import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { configureTunLink } from '../../../src/tun/tunLinkConfig.js'
import { Ipv4AddressMap } from '../../../src/tun/ipv4/ipv4AddressMap.js'
import { formatIpv4Address, parseIpv4Prefix } from '../../../src/tun/ipv4/ipv4Prefix.js'
import { Ipv4Translator } from '../../../src/tun/ipv4/ipv4Translator.js'
import { ProcNetListeners } from '../../../src/tun/ipv4/hostListeners.js'
import { attachTunDevice } from '../../../src/tun/router/attachTunDevice.js'
import { PacketRouter } from '../../../src/tun/router/packetRouter.js'
import { type TunDevice } from '../../../src/tun/tunDevice.js'
import { FakeDatagramNetwork, FakeSessions } from '../helpers/fakeDatagramNetwork.js'
import { type JsonLineChild } from '../helpers/jsonLineChild.js'
import { addr } from '../helpers/routerTestPackets.js'
import { removeStaleNamespaces, requireRoot, TestNamespace } from '../helpers/testNamespace.js'
import { openTunInNamespace, TUN_IN_NAMESPACE_NAME } from '../helpers/tunInNamespace.js'

const PORT = 8080
/** Where B's IPv4-only service listens (a port of its own: the translator caches what listens on a port for 2 s). */
const IPV4_ONLY_PORT = 8084
const TUN_MTU = 1500
/** Smaller than what the TUN MTU lets the kernels send, so Packet Too Big must reach the IPv4 program and work. */
const CHANNEL_MAX_PACKET = 1400

/**
 * IPv4-only programs through the translator, with the real kernel: A's
 * phantom0 has the IPv4 mapping (100.64.0.1, 100.64.0.0/10 routed into it);
 * B's AP address is mapped to 100.64.0.2 in A's table. Programs in A use
 * only IPv4 sockets; B's kernel sees IPv6 from A's AP address. The two
 * namespaces are joined by the packet routers and a fake session whose
 * packets are at most 1400 bytes.
 */
describe('tun/ipv4: IPv4-only programs reach an AP address through the translator (root)', function () {
  this.timeout(90_000)
  const namespaces: TestNamespace[] = []
  const tuns: TunDevice[] = []
  const routers: PacketRouter[] = []
  const network = new FakeDatagramNetwork()
  const translators: Ipv4Translator[] = []
  const anchors: ChildProcess[] = []
  let peer4 = ''

  before(async () => {
    requireRoot()
    await removeStaleNamespaces()
    for (const [ap, expose] of [['fd50::a', []], ['fd50::b', [PORT, IPV4_ONLY_PORT]]] as const) {
      const map = new Ipv4AddressMap({ prefix: parseIpv4Prefix('100.64.0.0/10') })
      const ns = new TestNamespace()
      namespaces.push(ns)
      await ns.create()
      const tun = await openTunInNamespace(ns, ap, TUN_MTU)
      tuns.push(tun)
      tun.on('error', () => { tun.close() })
      const address = addr(ap)
      const sessions = new FakeSessions(address, network)
      sessions.maxPacket = CHANNEL_MAX_PACKET
      let deliver = (packet: Buffer): void => { tun.write(packet) }
      const router = new PacketRouter({ sessions, localAddresses: [address], deliverToHost: (packet) => { deliver(packet) }, firewall: { expose: [...expose] } })
      routers.push(router)
      network.register(address, router)
      // the translator reads the listening sockets of the namespace through a process that lives in it
      const anchor = spawn('ip', ['netns', 'exec', ns.name, 'sleep', '3600'], { stdio: 'ignore' })
      anchors.push(anchor)
      const listeners = new ProcNetListeners(map.ownAddress, address, `/proc/${anchor.pid ?? 0}/net`)
      const translator = new Ipv4Translator({ map, ownAp: address, toRouter: (p) => { router.handleOutbound(p) }, toHost: (p) => { tun.write(p) }, listeners })
      translators.push(translator)
      deliver = (packet) => { translator.deliverToHost(packet) }
      attachTunDevice(translator, tun)
      const own = formatIpv4Address(map.ownAddress)
      // the daemon's own link set-up, run inside the namespace
      await configureTunLink(TUN_IN_NAMESPACE_NAME, { mtu: TUN_MTU, addresses: [ap], ipv4: { address: own, prefix: '100.64.0.0/10', mtu: TUN_MTU - 20 } },
        async (args) => { await ns.exec(['ip', ...args]).then((r) => { if (r.code !== 0) throw new Error(r.stderr) }) })
      if (ap === 'fd50::a') peer4 = formatIpv4Address(map.addressFor(addr('fd50::b'))!)
    }
  })

  after(async () => {
    for (const anchor of anchors) anchor.kill('SIGKILL')
    for (const router of routers) router.close()
    for (const tun of tuns) tun.close()
    for (const ns of namespaces) await ns.remove()
  })

  const a = (): TestNamespace => namespaces[0]!
  const b = (): TestNamespace => namespaces[1]!

  it('A\'s phantom0 carries 100.64.0.1/32 and routes 100.64.0.0/10 with an MTU 20 below the link\'s', async () => {
    const address = await a().exec(['ip', '-4', 'address', 'show', 'dev', TUN_IN_NAMESPACE_NAME])
    assert.match(address.stdout, /inet 100\.64\.0\.1\/32/)
    const route = await a().exec(['ip', '-4', 'route', 'show', '100.64.0.0/10'])
    assert.match(route.stdout, /100\.64\.0\.0\/10 dev phantom0 .*src 100\.64\.0\.1 .*mtu 1480/)
  })

  it('ping -4 to B\'s mapped address is answered (B\'s kernel answers the IPv6 echo from A\'s AP address)', async () => {
    assert.equal(peer4, '100.64.0.2')
    const ping = await a().exec(['ping', '-4', '-n', '-c', '3', '-W', '5', peer4], 40_000)
    assert.equal(ping.code, 0, `ping failed: ${ping.stdout}${ping.stderr}`)
    assert.match(ping.stdout, /3 packets transmitted, 3 received/)
    assert.ok(routers[1]!.stats.firewall.counters['accepted-ping'] >= 3)
  })

  it('an address of the prefix that nobody has: ping says Destination Host Unreachable at once', async () => {
    const ping = await a().exec(['ping', '-4', '-n', '-c', '1', '-W', '5', '100.64.7.7'], 40_000)
    assert.notEqual(ping.code, 0)
    assert.match(ping.stdout, /Destination Host Unreachable/, ping.stdout)
  })

  it('TCP from an IPv4-only socket: B sees A\'s AP address; 300 kB echoed intact through 1400-byte packets (Packet Too Big reached the IPv4 program as fragmentation needed)', async () => {
    const children: JsonLineChild[] = []
    try {
      const server = b().spawnHelper('tcpProbe', ['--listen', '--address', '::', '--port', String(PORT)])
      children.push(server)
      await server.waitFor((e) => e.event === 'listening', 'the server in B')
      const client = await a().exec(['python3', '-c', `
import socket, threading
data = bytes(range(256)) * 1200
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(30)
s.connect(('${peer4}', ${PORT}))
t = threading.Thread(target=lambda: s.sendall(data))
t.start()
got = bytearray()
while len(got) < len(data):
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
t.join()
print('intact' if bytes(got) == data else 'damaged %d' % len(got))
`], 60_000)
      assert.equal(client.stdout.trim(), 'intact', client.stdout + client.stderr)
      const accepted = server.events.find((e) => e.event === 'accepted')
      assert.equal(accepted?.remote, 'fd50::a')
      assert.ok(routers[0]!.stats.icmp.packetTooBigSent > 0, 'A\'s router said Packet Too Big')
      const stats = translators[0]!.stats
      assert.ok(stats.inbound.translated > 200 && stats.outbound.translated > 200, JSON.stringify(stats))
      assert.deepEqual(Object.values(stats.inbound.dropped).concat(Object.values(stats.outbound.dropped)).filter((n) => n > 0), [])
    } finally {
      for (const child of children) child.kill()
    }
  })

  it('UDP from an IPv4-only socket: a datagram to B\'s exposed port and its answer', async () => {
    const server = b().spawnHelper('udpEcho', ['--port', String(PORT)])
    try {
      await server.waitFor((e) => e.event === 'listening', 'the UDP server in B')
      const client = await a().exec(['python3', '-c', `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
s.sendto(b'over ipv4', ('${peer4}', ${PORT}))
data, peer = s.recvfrom(2048)
print(data.decode(), peer[0])
`], 30_000)
      assert.equal(client.stdout.trim(), `over ipv4 ${peer4}`, client.stdout + client.stderr)
      const got = await server.waitFor((e) => e.event === 'datagram', 'the datagram in B')
      assert.equal(got.remote, 'fd50::a')
    } finally {
      server.kill()
    }
  })

  /** An IPv4-only TCP echo service in B on 0.0.0.0 that reports each client's address. */
  const ipv4OnlyServiceInB = (): JsonLineChild => b().spawnHelper('tcpProbe', ['--listen', '--address', '0.0.0.0', '--port', String(IPV4_ONLY_PORT)])

  it('a service in B that listens only on IPv4 is reached by A\'s IPv6 client: B delivers the connection as IPv4 from a 100.64 address of its own mapping', async () => {
    const server = ipv4OnlyServiceInB()
    try {
      await server.waitFor((e) => e.event === 'listening', 'the IPv4-only server in B')
      const client = a().spawnHelper('tcpProbe', ['--connect', '--address', 'fd50::b', '--port', String(IPV4_ONLY_PORT)])
      const echoed = await client.waitFor((e) => e.event === 'echoed' || e.event === 'error', 'the echo from the IPv4-only service', 30_000)
      assert.deepEqual(echoed, { event: 'echoed', data: 'hello over phantom0\n' })
      const accepted = server.events.find((e) => e.event === 'accepted')
      assert.match(String(accepted?.remote), /^100\.64\.0\.\d+$/, 'the service saw an IPv4 address of B\'s mapping')
      assert.equal(translators[1]!.stats.inbound.toIpv4Services, 1)
    } finally {
      server.kill()
    }
  })

  it('translated at both ends: A\'s IPv4-only client reaches B\'s IPv4-only service (IPv6 between the nodes)', async () => {
    const server = ipv4OnlyServiceInB()
    try {
      await server.waitFor((e) => e.event === 'listening', 'the IPv4-only server in B')
      const before = translators[1]!.stats.inbound.toIpv4Services
      const client = a().spawnHelper('tcpProbe', ['--connect', '--address', peer4, '--port', String(IPV4_ONLY_PORT)])
      const echoed = await client.waitFor((e) => e.event === 'echoed' || e.event === 'error', 'the echo over IPv4 at both ends', 30_000)
      assert.deepEqual(echoed, { event: 'echoed', data: 'hello over phantom0\n' })
      assert.equal(translators[1]!.stats.inbound.toIpv4Services, before + 1)
      assert.ok(translators[0]!.stats.inbound.translated > 0)
    } finally {
      server.kill()
    }
  })
})
