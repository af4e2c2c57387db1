/** Two namespaces joined directly by a veth pair, plain IPv6: the reference every ratio is taken against. */
import { startBenchServer, TransportResources, type NamespacedProcess } from '../namespaces.js'
import type { BenchPath, NodeProcess, Transport } from '../transport.js'
import { NamespacePair, PAIR_SERVER_ADDRESS } from './namespacePair.js'
import { waitForPath } from './probePath.js'

export const BENCH_PORT = 7000

export class DirectVethTransport implements Transport {
  readonly name = 'direct'
  private readonly resources = new TransportResources()
  private readonly pair = new NamespacePair('direct')
  private server: NamespacedProcess | undefined

  async start (): Promise<void> {
    await this.pair.create(this.resources)
    this.server = await startBenchServer(this.resources, this.pair.server, '::', BENCH_PORT)
    for (const path of this.paths()) await waitForPath(path, 30_000)
  }

  async stop (): Promise<void> {
    await this.resources.close()
  }

  paths (): BenchPath[] {
    return [{
      label: 'direct',
      clientNamespace: this.pair.client,
      target: { kind: 'tcp', host: PAIR_SERVER_ADDRESS, port: BENCH_PORT },
      description: `two namespaces joined by a veth pair, plain IPv6 (MTU ${this.pair.mtu})`,
      iperf3: { serverNamespace: this.pair.server, host: PAIR_SERVER_ADDRESS }
    }]
  }

  nodes (): NodeProcess[] { return [] }
  serverPid (): number | undefined { return this.server?.child.pid }
  notes (): Record<string, string> { return { 'veth MTU': String(this.pair.mtu) } }
}
