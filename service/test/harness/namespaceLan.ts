/**
 * A private LAN of network namespaces for system tests: one hub namespace
 * with a bridge, and one namespace per node joined to it by a veth pair
 * (node side `eth0`, 10.78.0.<i+1>/24). Nothing is routed anywhere else.
 * `remove()` deletes every namespace (and with them the veths); namespaces
 * left by a crashed earlier run are removed by the next one (names carry the
 * creating pid).
 */
import { mustRun, removeStaleNamespaces, TestNamespace } from '../tun/helpers/testNamespace.js'

export const LAN_PREFIX = '10.78.0'

export class NamespaceLan {
  readonly hub = new TestNamespace()
  readonly nodes: TestNamespace[] = []

  static async create (count: number): Promise<NamespaceLan> {
    if (count < 1 || count > 200) throw new RangeError('1..200 nodes')
    await removeStaleNamespaces()
    const lan = new NamespaceLan()
    try {
      await lan.hub.create()
      await mustRun('ip', ['-n', lan.hub.name, 'link', 'add', 'br0', 'type', 'bridge'])
      await mustRun('ip', ['-n', lan.hub.name, 'link', 'set', 'br0', 'up'])
      for (let i = 0; i < count; i++) {
        const ns = new TestNamespace()
        lan.nodes.push(ns)
        await ns.create()
        const hostSide = `lan${i}`
        await mustRun('ip', ['link', 'add', 'eth0', 'netns', ns.name, 'type', 'veth', 'peer', 'name', hostSide, 'netns', lan.hub.name])
        await mustRun('ip', ['-n', lan.hub.name, 'link', 'set', hostSide, 'master', 'br0', 'up'])
        await mustRun('ip', ['-n', ns.name, 'address', 'add', `${lan.addressOf(i)}/24`, 'dev', 'eth0'])
        await mustRun('ip', ['-n', ns.name, 'link', 'set', 'eth0', 'up'])
      }
    } catch (err) {
      await lan.remove()
      throw err
    }
    return lan
  }

  addressOf (i: number): string {
    return `${LAN_PREFIX}.${i + 1}`
  }

  async remove (): Promise<void> {
    await Promise.allSettled([...this.nodes, this.hub].map(async (ns) => { await ns.remove() }))
  }
}
