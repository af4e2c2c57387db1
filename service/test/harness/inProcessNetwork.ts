/**
 * A network of in-process daemons on loopback for tunnel and session tests:
 * every node a full PhantomNode (libp2p host, DHT, path, tunnel and session
 * services), joined through node 0, each with its own path counts.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { PhantomNode } from '../../src/daemon/phantomNode.js'
import type { NodeSettings } from '../../src/daemon/nodeSettings.js'
import { createLogger } from '../../src/logging/logger.js'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { apRecordKey } from '../../src/netdb/recordKeys.js'
import { waitFor } from './waitFor.js'
import type { TunnelTestHooks } from '../../src/tunnel/service/index.js'

const HOUR = 3_600_000

export interface InProcessNodeSpec {
  /** Default: one port on 127.0.0.1; [] for a node nobody can dial (node 0, everybody's seed, must listen). */
  listen?: string[]
  exitCount?: number
  entryCount?: number
  services?: NodeSettings['services']
  tunnel?: NodeSettings['tunnel']
  session?: NodeSettings['session']
  hooks?: TunnelTestHooks
}

export class InProcessNetwork {
  readonly nodes: PhantomNode[] = []
  private dir = ''

  static async start (count: number, spec: (i: number) => InProcessNodeSpec, options: { x?: number } = {}): Promise<InProcessNetwork> {
    const net = new InProcessNetwork()
    net.dir = await mkdtemp(join(tmpdir(), 'phantom-tunnel-net-'))
    const log = createLogger(process.env.PHANTOM_TEST_LOG === 'debug' ? 'debug' : 'error')
    const seeds: string[] = []
    try {
      for (let i = 0; i < count; i++) {
        const s = spec(i)
        const settings: NodeSettings = {
          dataDir: join(net.dir, `n${i}`),
          controlSocket: join(net.dir, `n${i}.sock`),
          listen: s.listen ?? ['/ip4/127.0.0.1/tcp/0'],
          announce: [],
          bootstrap: [...seeds],
          mdns: false,
          allowPrivateAddresses: true,
          peerCacheSize: 100,
          pathBuildingKeyRotationMs: 24 * HOUR,
          pathBuildingKeyGraceMs: HOUR,
          nodeRecordLifetimeMs: 2 * HOUR,
          nodeRecordRepublishIntervalMs: HOUR,
          queryResponders: 3,
          logLevel: 'error',
          path: { x: options.x ?? 3, extraY: 0, diversity: false, roundTimeoutMs: 10_000, exitCount: s.exitCount ?? 0, entryCount: s.entryCount ?? 0 },
          tun: { enabled: false, name: 'phantom0', mtu: 65273, ipv4: { enabled: false, prefix: '100.64.0.0/10' } },
          dns: { enabled: false, listen: '127.0.80.53:53', hostsFile: '/nonexistent/hosts' },
          ap: { expose: [], answerPing: true },
          socks: { enabled: false, listen: '127.0.0.1:9080' },
          services: s.services ?? [],
          ...(s.tunnel != null ? { tunnel: s.tunnel } : {}),
          ...(s.session != null ? { session: s.session } : {})
        }
        const node = await PhantomNode.start(settings, log.child(`n${i}`), s.hooks != null ? { tunnel: s.hooks } : {})
        net.nodes.push(node)
        if (i === 0) seeds.push(node.host.getMultiaddrs().find((a) => a.toString().includes('/ip4/127.0.0.1/'))!.toString())
      }
      const seed = multiaddr(seeds[0]!)
      let lastDial = 0
      await waitFor('every node record stored in the DHT', () => {
        if (Date.now() - lastDial > 5000) {
          lastDial = Date.now()
          for (const n of net.nodes.slice(1)) if (n.host.getConnections().length === 0) void n.host.dial(seed).catch(() => {})
        }
        return net.nodes.every((n) => n.isNetdbReady())
      }, 180_000, 200)
    } catch (err) {
      await net.stop()
      throw err
    }
    return net
  }

  apOf (i: number): Buffer {
    return deriveApAddress(this.nodes[i]!.apIdentity.routing.publicKey)
  }

  /** Waits until node `i` has `count` ready paths of `kind`. */
  async readyPaths (i: number, kind: 'exit' | 'entry', count: number, timeoutMs = 180_000): Promise<void> {
    await waitFor(`node ${i}: ${count} ready ${kind} path(s)`, () => this.nodes[i]!.paths().filter((p) => p.kind === kind && p.state === 'ready').length >= count, timeoutMs, 200)
  }

  /** Waits until node `reader` finds node `owner`'s AP record listing at least `entries` entry nodes. */
  async apRecordVisible (owner: number, reader: number, entries = 1, timeoutMs = 120_000): Promise<void> {
    const ap = this.apOf(owner)
    await waitFor(`AP record of node ${owner} with ${entries} entry node(s)`, async () => {
      const found = await this.nodes[reader]!.resolveApRecord(ap)
      return found != null && found.entryNodes.length >= entries
    }, timeoutMs, 500)
  }

  async stop (): Promise<void> {
    await Promise.allSettled(this.nodes.map(async (n) => { await n.stop() }))
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true })
  }
}

export { apRecordKey }
