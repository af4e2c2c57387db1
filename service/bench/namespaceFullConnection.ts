/**
 * The full connection the TUN benchmarks measure (tunConnection.ts,
 * tunUnderLoad.ts; root): 12 daemons, each its own process and network
 * namespace, joined by a private bridge; A (node 0) keeps one 3-hop exit
 * path, B (node 1) one 3-hop entry path and exposes the iperf3 port of its AP
 * address, where an iperf3 server runs in B's namespace.
 */
import { spawn } from 'node:child_process'
import { ProcessNode } from '../test/harness/processNode.js'
import { NamespaceLan } from '../test/harness/namespaceLan.js'
import { waitFor } from '../test/harness/waitFor.js'
import { requireRoot } from '../test/tun/helpers/testNamespace.js'

export const NAMESPACE_FULL_CONNECTION_NODES = 12
export const IPERF_PORT = 5201

export interface NamespaceFullConnection {
  lan: NamespaceLan
  /** A, B, then the relays. */
  nodes: ProcessNode[]
  /** B's AP address. */
  bAp: string
  stop: () => Promise<void>
}

/** Starts it and waits (bounded) until A has a session to B; cleans up after itself if that fails. */
export async function startNamespaceFullConnection (namePrefix: string, options: { ipv4?: boolean } = {}): Promise<NamespaceFullConnection> {
  requireRoot()
  const lan = await NamespaceLan.create(NAMESPACE_FULL_CONNECTION_NODES)
  const nodes: ProcessNode[] = []
  const iperfServer = spawn('ip', ['netns', 'exec', lan.nodes[1]!.name, 'iperf3', '-s', '-p', String(IPERF_PORT)], { stdio: 'ignore' })
  const stop = async (): Promise<void> => {
    iperfServer.kill('SIGKILL')
    await Promise.allSettled(nodes.map(async (n) => { await n.destroy() }))
    await lan.remove()
  }
  try {
    process.stderr.write(`starting ${NAMESPACE_FULL_CONNECTION_NODES} daemons, each in its own namespace…\n`)
    for (let i = 0; i < NAMESPACE_FULL_CONNECTION_NODES; i++) {
      const node = await ProcessNode.create({
        name: `${namePrefix}${i}`,
        netns: lan.nodes[i]!.name,
        bootstrap: i === 0 ? [] : [`/ip4/${lan.addressOf(0)}/tcp/4821/p2p/${nodes[0]!.peerId}`],
        config: {
          listen: [`/ip4/${lan.addressOf(i)}/tcp/4821`],
          log: { level: 'warn' },
          path: { count: { exit: i === 0 ? 1 : 0, entry: i === 1 ? 1 : 0 }, diversity: false },
          tun: { enabled: true, ipv4: { enabled: options.ipv4 ?? true } },
          ...(i === 1 ? { ap: { expose: [IPERF_PORT] } } : {})
        }
      })
      nodes.push(node)
      await node.start()
    }
    const bAp = (await nodes[1]!.status()).ap[0]!.address
    await waitFor('A reaches B', async () => await nodes[0]!.call('session.ping', { target: bAp }).then(() => true, () => false), 300_000, 1000)
    return { lan, nodes, bAp, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
