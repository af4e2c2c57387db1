/**
 * An in-process network of libp2p hosts on loopback for path tests and the
 * path benchmark: TCP, Noise, yamux, identify and nothing else (no DHT, no
 * discovery), so every connection a host has was opened by the path
 * protocols themselves. Each host runs a PathService; nodes are sampled from
 * the lab's list with their real PeerIds, addresses and path-building keys
 * (what a node record would give).
 */
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PrivateKey } from '@libp2p/interface'
import { shuffleInPlace, x25519Generate, type X25519KeyPair } from '../../../src/crypto/index.js'
import { createLogger, type Logger } from '../../../src/logging/logger.js'
import type { NodeRecord } from '../../../src/netdb/records/nodeRecord.js'
import type { SampledNode } from '../../../src/netdb/randomNodeSampler.js'
import { fittingMultiaddrs } from '../../../src/path/network/peerAddressing.js'
import { generatePathOwnerIdentity, PathService, type MemberStateEvent, type PathSettings, type PathTestHooks, type WireEvent } from '../../../src/path/service/index.js'
import { LOOPBACK_NETWORKS } from '../../../src/link/loopbackNetworks.js'
import { waitFor } from '../../harness/waitFor.js'

export interface LabNode {
  index: number
  name: string
  host: Libp2p
  peerId: string
  pbk: X25519KeyPair
  service: PathService
  hooks: PathTestHooks
  wire: WireEvent[]
  states: MemberStateEvent[]
  puts: Array<{ key: Buffer, value: Buffer }>
  logLines: string[]
}

export interface LabOptions {
  settings?: Partial<PathSettings>
  /** Per-node overrides on top of `settings`. */
  settingsFor?: (index: number) => Partial<PathSettings>
  /** Record wire events and member states (instrumented runs). */
  record?: boolean
  /** Real DHT put for the terminating node; default: recorded in `puts` only. */
  putRecord?: (node: LabNode, key: Uint8Array, value: Uint8Array) => Promise<number>
  /** Nodes that listen nowhere: they can dial out but nobody can dial them (an owner behind NAT). */
  undialable?: (index: number) => boolean
  /** Addresses a node announces instead of its own (e.g. one where nothing listens). */
  announceFor?: (index: number) => string[] | undefined
  /** A node's identity key (default: a fresh one), e.g. to place a node's PeerId among the others'. */
  privateKeyFor?: (index: number) => PrivateKey | undefined
}

/** A bare host as the lab uses it: TCP on loopback (or nowhere: `listen` false), Noise, yamux, identify; no discovery, no DHT. */
export async function createLabHost (listen = true, announce: string[] = [], privateKey?: PrivateKey): Promise<Libp2p> {
  return await createLibp2p({
    privateKey: privateKey ?? await generateKeyPair('Ed25519'),
    addresses: { listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [], announce },
    connectionManager: { allow: [...LOOPBACK_NETWORKS] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
}

/** What a node record would say about a peer running elsewhere (another process). */
export function sampledNodeFrom (peerId: Uint8Array, peerIdText: string, addrs: Multiaddr[], pbk: Uint8Array): SampledNode {
  const multiaddrs = fittingMultiaddrs(addrs)
  const record = { peerId, multiaddrs, pbk } as unknown as NodeRecord
  return { peerId: peerIdText, record, addresses: addrs.map(String), proposedBy: peerIdText, multiaddrs }
}

function sampledNodeOf (node: LabNode): SampledNode {
  const multiaddrs = fittingMultiaddrs(node.host.getMultiaddrs())
  const record = { peerId: node.host.peerId.toMultihash().bytes, multiaddrs, pbk: node.pbk.publicKey } as unknown as NodeRecord
  return { peerId: node.peerId, record, addresses: node.host.getMultiaddrs().map(String), proposedBy: node.peerId, multiaddrs }
}

export class PathLab {
  /** Node named here is put first in every sample that may contain it (forces it into the ring). */
  preferred: string | null = null
  /** Peers outside this process that samples may also return (benchmark with separate processes). */
  readonly external: SampledNode[] = []

  private constructor (readonly nodes: LabNode[]) {}

  static async start (count: number, options: LabOptions = {}): Promise<PathLab> {
    const nodes: LabNode[] = []
    const lab = new PathLab(nodes)
    try {
      for (let i = 0; i < count; i++) {
        const host = await createLabHost(options.undialable?.(i) !== true, options.announceFor?.(i) ?? [], options.privateKeyFor?.(i))
        let inbound = 0
        host.addEventListener('connection:open', (evt) => { if (evt.detail.direction === 'inbound') inbound++ })
        const pbk = x25519Generate()
        const hooks: PathTestHooks = {}
        const logLines: string[] = []
        const log: Logger = createLogger((process.env.PATH_LAB_LOG as 'debug' | undefined) ?? 'debug', `n${i}`, (line) => {
          if (process.env.PATH_LAB_LOG != null) console.log(line)
          logLines.push(line)
          if (logLines.length > 2000) logLines.splice(0, 1000)
        })
        const node = { index: i, name: `n${i}`, host, peerId: host.peerId.toString(), pbk, hooks, wire: [], states: [], puts: [], logLines } as unknown as LabNode
        if (options.record === true) {
          hooks.onWire = (e) => { node.wire.push(e) }
          hooks.onMemberState = (e) => { node.states.push(e) }
        }
        node.service = new PathService({
          host,
          usablePbkKeys: () => [pbk],
          sampleNodes: async (n, o) => lab.sample(n, o.exclude),
          putRecord: async (key, value) => {
            node.puts.push({ key: Buffer.from(key), value: Buffer.from(value) })
            return options.putRecord != null ? await options.putRecord(node, key, value) : 1
          },
          ownerIdentity: generatePathOwnerIdentity(),
          inboundConnectionsSeen: () => inbound,
          log
        }, { diversity: false, ...options.settings, ...options.settingsFor?.(i) }, hooks)
        nodes.push(node)
        await node.service.startRelay()
      }
    } catch (err) {
      await lab.stop()
      throw err
    }
    return lab
  }

  byPeerId (peerId: string): LabNode {
    const node = this.nodes.find((n) => n.peerId === peerId)
    if (node == null) throw new Error(`no lab node ${peerId}`)
    return node
  }

  /** Random lab nodes outside `exclude`, `preferred` first when allowed. */
  sample (count: number, exclude: Set<string>): SampledNode[] {
    const pool = shuffleInPlace([...this.nodes.map(sampledNodeOf), ...this.external].filter((n) => !exclude.has(n.peerId)))
    const preferred = pool.findIndex((n) => n.peerId === this.preferred)
    if (preferred > 0) pool.unshift(...pool.splice(preferred, 1))
    return pool.slice(0, count)
  }

  /** Cuts `owner` off from everybody, so any connection or peer-store entry afterwards comes from its next build. */
  async isolate (owner: LabNode): Promise<void> {
    for (const p of owner.service.list()) owner.service.closePath(p.id)
    for (const conn of owner.host.getConnections()) await owner.host.hangUp(conn.remotePeer)
    await waitFor('no connection to the owner left', () => this.nodes.every((n) => n.host.getConnections(owner.host.peerId).length === 0), 10_000, 20)
    for (const n of this.nodes) if (n !== owner) await n.host.peerStore.delete(owner.host.peerId)
  }

  clearRecords (): void {
    for (const n of this.nodes) { n.wire.length = 0; n.states.length = 0 }
  }

  async stop (): Promise<void> {
    await Promise.allSettled(this.nodes.map(async (n) => { await n.service.stop() }))
    await Promise.allSettled(this.nodes.map(async (n) => { await n.host.stop() }))
  }
}
