/**
 * Phantom as a comparison network: 12 daemons, each its own process in its
 * own network namespace, the namespaces joined by a private bridge (no route
 * anywhere else). Client A keeps an exit path and runs the SOCKS5 proxy and
 * the TUN interface; server B keeps an entry path, exposes the bench port on
 * its AP address (for TUN) and maps it to the bench server (for SOCKS5).
 * Two paths: `phantom-tun` (plain TCP from A's namespace to B's AP address,
 * through phantom0) and `phantom-socks` (through A's SOCKS5 proxy to B's
 * `.phantom` name). Both run over a full connection: A's 3-hop exit path and
 * B's 3-hop entry path.
 *
 * With `newDestinations` (the transport `phantom-new`, a network of its own
 * so that the extra paths and sessions leave the other figures alone) the ten
 * relays are also destinations nobody has contacted yet: each keeps an entry
 * path and runs its own bench server, nodes 2–6 exposed on their AP address
 * (reached through TUN by address), nodes 7–11 mapped as a service (reached
 * through SOCKS5 by name). Each is contacted once: the time to the first byte
 * of a new AP address, reported with the paths of the same name.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { ControlClient } from '../../../src/control/controlClient.js'
import type { NodeStatus } from '../../../src/daemon/phantomNode.js'
import { DAEMON_NODE_FLAGS } from '../../../src/daemon/nodeRuntimeFlags.js'
import { extraDaemonNodeFlags } from '../../../test/harness/processNode.js'
import { daemonEntry } from '../../../test/harness/repoPaths.js'
import { startBenchServer, TransportResources, type NamespacedProcess } from '../namespaces.js'
import type { BenchPath, NodeProcess, Transport } from '../transport.js'
import { createBridgeLan } from './bridgeLan.js'
import { waitForPath } from './probePath.js'

const NODES = 12
const BENCH_PORT = 7000
const SOCKS_PORT = 9080
const LAN = '10.79.0'
/** Nodes that are fresh destinations for the TUN path and for the SOCKS5 path. */
const FRESH_TUN = [2, 3, 4, 5, 6]
const FRESH_SOCKS = [7, 8, 9, 10, 11]

async function waitUntil (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

export class PhantomNetworkTransport implements Transport {
  readonly name: string
  private readonly fresh: { tun: number[], socks: number[] }
  private readonly resources = new TransportResources()
  private readonly daemons: NamespacedProcess[] = []
  private readonly namespaces: string[] = []
  private readonly sockets: string[] = []
  private server: NamespacedProcess | undefined
  private bAp = ''
  private bName = ''
  private readonly apOf = new Map<number, { address: string, name: string }>()
  private mtu = 0

  constructor (private readonly options: { newDestinations: boolean }) {
    this.name = options.newDestinations ? 'phantom-new' : 'phantom'
    this.fresh = options.newDestinations ? { tun: FRESH_TUN, socks: FRESH_SOCKS } : { tun: [], socks: [] }
  }

  private isFresh (i: number): boolean {
    return this.fresh.tun.includes(i) || this.fresh.socks.includes(i)
  }

  private async status (i: number): Promise<NodeStatus> {
    const client = await ControlClient.connect(this.sockets[i]!, 5000)
    try { return await client.call<NodeStatus>('status') } finally { client.close() }
  }

  async start (): Promise<void> {
    this.namespaces.push(...await createBridgeLan(this.resources, 'ph', NODES, LAN))
    const dir = await this.resources.temporaryDirectory('phantom-compare-')
    let seed = ''
    for (let i = 0; i < NODES; i++) {
      const ns = this.namespaces[i]!
      const socket = join(dir, `n${i}.sock`)
      this.sockets.push(socket)
      const config = {
        dataDir: join(dir, `n${i}`),
        controlSocket: socket,
        listen: [`/ip4/${LAN}.${i + 1}/tcp/4821`],
        bootstrap: i === 0 ? [] : [seed],
        mdns: false,
        network: { allowPrivateAddresses: true },
        log: { level: 'warn' },
        path: { count: { exit: i === 0 ? 1 : 0, entry: i === 1 || this.isFresh(i) ? 1 : 0 }, diversity: false },
        tun: { enabled: i < 2 || this.fresh.tun.includes(i) },
        dns: { enabled: false },
        socks: { enabled: i === 0, listen: `127.0.0.1:${SOCKS_PORT}` },
        ...(i === 1 || this.isFresh(i) ? { ap: { expose: [BENCH_PORT] }, services: [{ port: BENCH_PORT, target: `127.0.0.1:${BENCH_PORT}` }] } : {})
      }
      const file = join(dir, `n${i}.yaml`)
      await writeFile(file, stringify(config))
      this.daemons.push(this.resources.spawn(`phantom${i}`, ns, process.execPath, [...DAEMON_NODE_FLAGS, ...extraDaemonNodeFlags(), daemonEntry(), '--config', file]))
      await waitUntil(`daemon ${i} control socket`, async () => { await this.status(i); return true }, 60_000)
      if (i === 0) seed = `/ip4/${LAN}.1/tcp/4821/p2p/${(await this.status(0)).peerId}`
    }
    this.server = await startBenchServer(this.resources, this.namespaces[1]!, '::', BENCH_PORT)
    for (const i of [...this.fresh.tun, ...this.fresh.socks]) await startBenchServer(this.resources, this.namespaces[i]!, '::', BENCH_PORT)
    for (let i = 1; i < NODES; i++) this.apOf.set(i, (await this.status(i)).ap[0]!)
    const b = await this.status(1)
    this.bAp = b.ap[0]!.address
    this.bName = b.ap[0]!.name
    this.mtu = b.tun?.mtu ?? 0
    await waitUntil('A reaches B', async () => {
      const client = await ControlClient.connect(this.sockets[0]!, 5000)
      try { await client.call('session.ping', { target: this.bAp }, 30_000); return true } finally { client.close() }
    }, 300_000)
    for (const path of this.paths()) await waitForPath(path, 120_000)
    // the fresh destinations' AP records, looked up from B: A must not contact them before the measurement
    await Promise.all([...this.fresh.tun, ...this.fresh.socks].map(async (i) => {
      await waitUntil(`node ${i}'s AP record`, async () => {
        const client = await ControlClient.connect(this.sockets[1]!, 5000)
        try { await client.call('netdb.get', { key: this.apOf.get(i)!.address }, 30_000); return true } finally { client.close() }
      }, 300_000)
    }))
  }

  async stop (): Promise<void> {
    await this.resources.close()
  }

  paths (): BenchPath[] {
    const a = this.namespaces[0] ?? ''
    return [
      {
        label: 'phantom-tun',
        clientNamespace: a,
        target: { kind: 'tcp', host: this.bAp, port: BENCH_PORT },
        freshOnly: this.options.newDestinations,
        freshTargets: this.fresh.tun.flatMap((i) => { const ap = this.apOf.get(i); return ap == null ? [] : [{ kind: 'tcp' as const, host: ap.address, port: BENCH_PORT }] }),
        description: `TUN to TUN through a full connection (3-hop exit path, 3-hop entry path; ${NODES} daemons, each in its own namespace; phantom0 MTU ${this.mtu})`
      },
      {
        label: 'phantom-socks',
        clientNamespace: a,
        target: { kind: 'socks5', proxyHost: '127.0.0.1', proxyPort: SOCKS_PORT, host: this.bName, port: BENCH_PORT, isolate: false },
        freshOnly: this.options.newDestinations,
        freshTargets: this.fresh.socks.flatMap((i) => { const ap = this.apOf.get(i); return ap == null ? [] : [{ kind: 'socks5' as const, proxyHost: '127.0.0.1', proxyPort: SOCKS_PORT, host: ap.name, port: BENCH_PORT, isolate: false }] }),
        description: 'SOCKS5 on A to B\'s .phantom name, the same full connection'
      }
    ]
  }

  nodes (): NodeProcess[] {
    return this.daemons.map((d) => ({ name: d.name, pid: d.pid }))
  }

  serverPid (): number | undefined { return this.server?.child.pid }

  notes (): Record<string, string> {
    return {
      daemons: String(NODES),
      'path length x': '3',
      'phantom0 MTU': String(this.mtu),
      ...(this.options.newDestinations ? { 'new destinations': `${this.fresh.tun.length} by AP address (TUN), ${this.fresh.socks.length} by name (SOCKS5), each with an entry path` } : {})
    }
  }

  logs (): Array<{ name: string, text: string }> {
    return this.daemons.map((d) => ({ name: d.name, text: d.text }))
  }
}
