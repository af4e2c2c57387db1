/**
 * Two namespaces, "client" and "server", joined by one veth pair with IPv6
 * unique-local addresses (no DAD) and nothing else: no route off the machine.
 * Shared by the direct and the Yggdrasil transports.
 */
import { mustRun, namespaceName, type TransportResources } from '../namespaces.js'

export const PAIR_PREFIX = 'fd63:6d70::'
export const PAIR_CLIENT_ADDRESS = `${PAIR_PREFIX}1`
export const PAIR_SERVER_ADDRESS = `${PAIR_PREFIX}2`
export const PAIR_PREFIX_LENGTH = 64

export class NamespacePair {
  readonly client: string
  readonly server: string
  mtu = 0

  constructor (role: string) {
    this.client = namespaceName(`${role}-c`)
    this.server = namespaceName(`${role}-s`)
  }

  /** Creates both namespaces (owned by `resources`, which removes them) and the veth pair. */
  async create (resources: TransportResources): Promise<void> {
    await resources.namespace(this.client)
    await resources.namespace(this.server)
    await mustRun('ip', ['-n', this.client, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth0', 'netns', this.server])
    for (const [ns, address] of [[this.client, PAIR_CLIENT_ADDRESS], [this.server, PAIR_SERVER_ADDRESS]] as const) {
      await mustRun('ip', ['-n', ns, 'addr', 'add', `${address}/${PAIR_PREFIX_LENGTH}`, 'dev', 'veth0', 'nodad'])
      await mustRun('ip', ['-n', ns, 'link', 'set', 'veth0', 'up'])
    }
    const link = await mustRun('ip', ['-n', this.client, '-j', 'link', 'show', 'veth0'])
    this.mtu = (JSON.parse(link.stdout) as Array<{ mtu: number }>)[0]?.mtu ?? 0
  }
}
