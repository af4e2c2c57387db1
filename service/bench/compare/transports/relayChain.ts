/**
 * The floor under Phantom's SOCKS5 path on this machine: the same processes
 * and the same kernel hops, doing nothing but forwarding. Eight namespaces on
 * a private bridge, like Phantom's; in each a bare TCP forwarder
 * (workloads/tcpForwarder.ts, Node.js like the daemons, no crypto, no
 * multiplexing), chained as a full connection's processes are: the client
 * connects to the first on its own loopback (as to A's SOCKS5 proxy), six
 * carry the bytes on over the bridge (A's 3-hop exit path and B's 3-hop entry
 * path), the last hands them to the bench server on its loopback (as B maps
 * its service). What Phantom costs beyond this is its own protocol stack
 * (libp2p, Noise, yamux, the sessions and tunnel layers), not the topology.
 */
import { nodeScript, scriptsRunFromSource, startBenchServer, TransportResources, type NamespacedProcess } from '../namespaces.js'
import type { BenchPath, NodeProcess, Transport } from '../transport.js'
import { createBridgeLan } from './bridgeLan.js'
import { waitForPath } from './probePath.js'

/** A, six relays, B: the processes a full connection's bytes pass through. */
export const RELAY_CHAIN_PROCESSES = 8
const LAN = '10.81.0'
const PORT = 7000
const SERVER_PORT = 7001

export class RelayChainTransport implements Transport {
  readonly name = 'relay-chain'
  private readonly resources = new TransportResources()
  private namespaces: string[] = []
  private readonly forwarders: NamespacedProcess[] = []
  private server: NamespacedProcess | undefined

  async start (): Promise<void> {
    this.namespaces = await createBridgeLan(this.resources, 'rc', RELAY_CHAIN_PROCESSES, LAN)
    const last = RELAY_CHAIN_PROCESSES - 1
    this.server = await startBenchServer(this.resources, this.namespaces[last]!, '127.0.0.1', SERVER_PORT)
    // from the last hop backwards, so that each one's successor already listens
    for (let i = last; i >= 0; i--) {
      const listen = i === 0 ? `127.0.0.1:${PORT}` : `${LAN}.${i + 1}:${PORT}`
      const to = i === last ? `127.0.0.1:${SERVER_PORT}` : `${LAN}.${i + 2}:${PORT}`
      const [command, args] = nodeScript('workloads/tcpForwarder', ['--listen', listen, '--to', to])
      const forwarder = this.resources.spawn(`forwarder${i}`, this.namespaces[i]!, command, args, { stdin: true })
      await forwarder.waitForOutput(/"event":"listening"/, 20_000)
      this.forwarders.unshift(forwarder)
    }
    for (const path of this.paths()) await waitForPath(path, 30_000)
  }

  async stop (): Promise<void> {
    await this.resources.close()
  }

  paths (): BenchPath[] {
    return [{
      label: 'relay-chain',
      clientNamespace: this.namespaces[0] ?? '',
      target: { kind: 'tcp', host: '127.0.0.1', port: PORT },
      description: `${RELAY_CHAIN_PROCESSES} bare TCP forwarders (Node.js ${process.version}, no crypto, no multiplexing), one per namespace on a bridge, chained like a full connection's processes: the floor of the topology and the runtime`
    }]
  }

  nodes (): NodeProcess[] {
    return this.forwarders.map((f) => ({ name: f.name, pid: f.pid }))
  }

  serverPid (): number | undefined { return this.server?.child.pid }
  notes (): Record<string, string> {
    return {
      forwarders: String(RELAY_CHAIN_PROCESSES),
      // their memory figures then include the TypeScript loader; `npm run bench:compare` runs them from dist
      ...(scriptsRunFromSource() ? { 'forwarders run': 'from source through tsx (its loader adds about 45 MiB to each one\'s RSS)' } : {})
    }
  }
}
