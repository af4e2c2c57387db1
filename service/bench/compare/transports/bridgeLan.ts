/**
 * Namespaces joined by one private bridge, IPv4 addresses PREFIX.1 … PREFIX.n
 * on each one's eth0 (no route anywhere else): the LAN of the Phantom and the
 * relay-chain transports. The bridge lives in a namespace of its own.
 */
import { mustRun, namespaceName, type TransportResources } from '../namespaces.js'

/**
 * Creates `count` namespaces named `${role}0` … (owned by `resources`, which
 * removes them) on a bridge in `${role}-hub`; node i gets `${prefix}.${i + 1}/24`.
 * Returns the namespaces in node order.
 */
export async function createBridgeLan (resources: TransportResources, role: string, count: number, prefix: string): Promise<string[]> {
  const hub = await resources.namespace(namespaceName(`${role}-hub`))
  await mustRun('ip', ['-n', hub, 'link', 'add', 'br0', 'type', 'bridge'])
  await mustRun('ip', ['-n', hub, 'link', 'set', 'br0', 'up'])
  const namespaces: string[] = []
  for (let i = 0; i < count; i++) {
    const ns = await resources.namespace(namespaceName(`${role}${i}`))
    namespaces.push(ns)
    await mustRun('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
    await mustRun('ip', ['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `lan${i}`, 'netns', hub])
    await mustRun('ip', ['-n', hub, 'link', 'set', `lan${i}`, 'master', 'br0', 'up'])
    await mustRun('ip', ['-n', ns, 'address', 'add', `${prefix}.${i + 1}/24`, 'dev', 'eth0'])
    await mustRun('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
  }
  return namespaces
}
