/**
 * Yggdrasil (Debian's `yggdrasil`) between two namespaces: one node per
 * namespace, peered over the veth pair with a static Peers/Listen entry,
 * AllowedPublicKeys limited to each other, no multicast discovery, no admin
 * socket; the TUN interface with the default MTU; the workloads run between
 * the two nodes' 200::/7 addresses. No anonymity: an upper bound for a
 * user-space TUN overlay.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mustRun, startBenchServer, TransportResources, waitUntil, type NamespacedProcess } from '../namespaces.js'
import type { BenchPath, NodeProcess, Transport } from '../transport.js'
import { BENCH_PORT } from './directVeth.js'
import { NamespacePair, PAIR_SERVER_ADDRESS } from './namespacePair.js'
import { waitForPath } from './probePath.js'

const PEERING_PORT = 12345
const TUN_NAME = 'ygg0'

export interface YggdrasilConfig {
  Peers: string[]
  Listen: string[]
  AdminListen: string
  MulticastInterfaces: unknown[]
  AllowedPublicKeys: string[]
  PublicKey: string
  PrivateKey: string
  IfName: string
  IfMTU: number
  [other: string]: unknown
}

/** The generated config adjusted for the bench: static peering only, no admin socket, no multicast, a fixed TUN name. */
export function benchYggdrasilConfig (generated: YggdrasilConfig, options: { peers: string[], listen: string[], allowedPublicKeys: string[] }): YggdrasilConfig {
  return {
    ...generated,
    Peers: options.peers,
    Listen: options.listen,
    AdminListen: 'none',
    MulticastInterfaces: [],
    AllowedPublicKeys: options.allowedPublicKeys,
    IfName: TUN_NAME
  }
}

export class YggdrasilTransport implements Transport {
  readonly name = 'yggdrasil'
  private readonly resources = new TransportResources()
  private readonly pair = new NamespacePair('ygg')
  private readonly nodeProcesses: NamespacedProcess[] = []
  private server: NamespacedProcess | undefined
  private serverAddress = ''
  private tunMtu = 0
  private version = ''

  async start (): Promise<void> {
    this.version = (await mustRun('dpkg-query', ['-W', '-f', '${Version}', 'yggdrasil'])).stdout.trim()
    await this.pair.create(this.resources)
    const directory = await this.resources.temporaryDirectory('phcmp-ygg-')
    const generate = async (): Promise<YggdrasilConfig> => JSON.parse((await mustRun('yggdrasil', ['-genconf', '-json'])).stdout) as YggdrasilConfig
    const clientBase = await generate()
    const serverBase = await generate()
    const peer = `tcp://[${PAIR_SERVER_ADDRESS}]:${PEERING_PORT}`
    const configs = [
      { ns: this.pair.client, name: 'ygg-client', config: benchYggdrasilConfig(clientBase, { peers: [peer], listen: [], allowedPublicKeys: [serverBase.PublicKey] }) },
      { ns: this.pair.server, name: 'ygg-server', config: benchYggdrasilConfig(serverBase, { peers: [], listen: [peer], allowedPublicKeys: [clientBase.PublicKey] }) }
    ]
    for (const { ns, name, config } of configs) {
      const file = join(directory, `${name}.json`)
      await writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 })
      if (name === 'ygg-server') this.serverAddress = (await mustRun('yggdrasil', ['-useconffile', file, '-address'])).stdout.trim()
      const node = this.resources.spawn(name, ns, 'yggdrasil', ['-useconffile', file, '-logto', 'stdout'])
      this.nodeProcesses.push(node)
    }
    // Both TUN interfaces up with their address, then the peering.
    for (const [node, ns] of [[this.nodeProcesses[0], this.pair.client], [this.nodeProcesses[1], this.pair.server]] as const) {
      if (node === undefined) continue
      await waitUntil(async () => {
        const r = await mustRun('ip', ['-n', ns, '-j', 'addr', 'show', 'dev', TUN_NAME]).catch(() => undefined)
        if (r === undefined) return undefined
        const link = (JSON.parse(r.stdout) as Array<{ mtu: number, addr_info?: Array<{ local: string }> }>)[0]
        if (link?.addr_info?.some((a) => a.local.startsWith('2') || a.local.startsWith('3')) !== true) return undefined
        this.tunMtu = link.mtu
        return true
      }, `${node.name}: ${TUN_NAME} with a 200::/7 address`, 30_000, node)
    }
    this.server = await startBenchServer(this.resources, this.pair.server, '::', BENCH_PORT)
    for (const path of this.paths()) await waitForPath(path, 60_000)
  }

  async stop (): Promise<void> {
    await this.resources.close()
  }

  paths (): BenchPath[] {
    return [{
      label: 'yggdrasil',
      clientNamespace: this.pair.client,
      target: { kind: 'tcp', host: this.serverAddress, port: BENCH_PORT },
      description: `Yggdrasil, one node per namespace peered over the veth (TCP), TUN MTU ${this.tunMtu}`,
      iperf3: { serverNamespace: this.pair.server, host: this.serverAddress }
    }]
  }

  nodes (): NodeProcess[] {
    return this.nodeProcesses.map((p) => ({ name: p.name, pid: p.pid }))
  }

  serverPid (): number | undefined { return this.server?.child.pid }

  logs (): Array<{ name: string, text: string }> {
    return this.nodeProcesses.map((p) => ({ name: p.name, text: p.text }))
  }

  notes (): Record<string, string> {
    return { 'yggdrasil version': this.version, 'yggdrasil TUN MTU': String(this.tunMtu), 'veth MTU (peering link)': String(this.pair.mtu) }
  }
}
