import type { Multiaddr } from '@multiformats/multiaddr'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { PhantomHost } from '../link/phantomHost.js'
import { filterAllowedAddresses, type AddressPolicy } from '../link/addressPolicy.js'
import { PHANTOM_PROTOCOL_VERSION } from '../link/phantomProtocols.js'
import type { PathBuildingKeyStore } from '../state/pathBuildingKeyStore.js'
import type { Logger } from '../logging/logger.js'
import { encodeNodeRecord, signNodeRecord, type NodeRecord } from './records/nodeRecord.js'
import { nodeRecordKey } from './recordKeys.js'
import { MAX_MULTIADDRS_PER_NODE, MAX_MULTIADDR_BYTES } from './recordLimits.js'
import { writeRecord } from './recordWriter.js'

const P2P_CODE = 421
/** Delay before publishing again when the previous publication reached no peer. */
const EARLY_RETRY_DELAY_MS = 100
/** kad-dht's k: a record is stored at up to this many closest peers. */
const REPLICATION_TARGET = 20

export interface NodeRecordPublisherOptions extends AddressPolicy {
  lifetimeMs: number
  republishIntervalMs: number
  writeTimeoutMs: number
  relayCapacity: number
}

export interface NodeRecordPublication {
  record: NodeRecord
  publishedAt: number
  storedAt: number
}

/** The addresses a node announces in its record: its own, no `/p2p/`, allowed by policy, bounded. */
export function dialableAddresses (addrs: Multiaddr[], policy: AddressPolicy): Multiaddr[] {
  const out: Multiaddr[] = []
  const seen = new Set<string>()
  for (const a of filterAllowedAddresses(addrs, policy)) {
    const bare = a.decapsulateCode(P2P_CODE)
    const text = bare.toString()
    if (seen.has(text) || bare.bytes.byteLength > MAX_MULTIADDR_BYTES) continue
    if (text.includes('/p2p-circuit') || text.startsWith('/ip4/0.0.0.0/') || text.startsWith('/ip6/::/')) continue
    seen.add(text)
    out.push(bare)
    if (out.length === MAX_MULTIADDRS_PER_NODE) break
  }
  return out
}

/**
 * Publishes this node's signed node record (PROTOCOL.md §4) at start, then
 * every `republishIntervalMs`, and at once when its addresses or its
 * path-building key change.
 */
export class NodeRecordPublisher {
  private timer: NodeJS.Timeout | undefined
  private last: NodeRecordPublication | undefined
  private lastAddresses = ''
  private lastPbk = ''
  private running: Promise<void> | undefined
  private stopped = false
  private retryPending = false
  private tableSizeAtPublication = 0

  constructor (
    private readonly host: PhantomHost,
    private readonly identity: Ed25519PrivateKey,
    private readonly pbkStore: PathBuildingKeyStore,
    private readonly options: NodeRecordPublisherOptions,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now
  ) {}

  start (): void {
    this.stopped = false
    this.host.addEventListener('self:peer:update', this.onSelfUpdate)
    this.host.addEventListener('peer:identify', this.onPeerIdentified)
    this.schedule(0)
  }

  stop (): void {
    this.stopped = true
    this.host.removeEventListener('self:peer:update', this.onSelfUpdate)
    this.host.removeEventListener('peer:identify', this.onPeerIdentified)
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = undefined
  }

  get lastPublication (): NodeRecordPublication | undefined {
    return this.last
  }

  /** Builds and signs the current record (without publishing it). */
  buildRecord (): NodeRecord {
    const now = this.clock()
    const pbk = this.pbkStore.current()
    const addrs = dialableAddresses(this.host.getMultiaddrs(), this.options)
    return signNodeRecord({
      peerId: this.host.peerId.toMultihash().bytes,
      multiaddrs: addrs.map(a => a.bytes),
      pbk: pbk.publicKey,
      pbkNotAfter: pbk.notAfter,
      protocolVersion: PHANTOM_PROTOCOL_VERSION,
      relayCapacity: this.options.relayCapacity,
      issuedAt: now,
      // a record must never outlive the pbk it announces (validators reject it then)
      expiresAt: Math.min(now + this.options.lifetimeMs, pbk.notAfter)
    }, this.identity.raw)
  }

  /** Publishes now; concurrent calls share one run. */
  async publishNow (): Promise<NodeRecordPublication | undefined> {
    if (this.running == null) {
      this.running = this.publish().finally(() => { this.running = undefined })
    }
    await this.running
    return this.last
  }

  private readonly onSelfUpdate = (): void => {
    const addrs = dialableAddresses(this.host.getMultiaddrs(), this.options).map(String).join(',')
    if (addrs !== this.lastAddresses && !this.stopped) this.schedule(0)
  }

  /**
   * While the network around this node is still forming, the record is
   * published again whenever the routing table has doubled since the last
   * publication (so it reaches the nodes that are now closest to its key), and
   * a record that reached nobody (a lone first node) as soon as peers appear.
   */
  private readonly onPeerIdentified = (): void => {
    if (this.stopped || this.retryPending || this.running != null) return
    const size = this.routingTableSize()
    const reachedNobody = this.last == null || this.last.storedAt === 0
    const grown = this.tableSizeAtPublication < REPLICATION_TARGET && size >= Math.max(2, 2 * this.tableSizeAtPublication)
    if (!reachedNobody && !grown) return
    this.retryPending = true
    this.schedule(EARLY_RETRY_DELAY_MS)
  }

  private routingTableSize (): number {
    return (this.host.services.dht as unknown as { routingTable?: { size?: number } }).routingTable?.size ?? 0
  }

  private schedule (delayMs: number): void {
    if (this.stopped) return
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.retryPending = false
      void this.publishNow().finally(() => {
        const reachedNobody = (this.last?.storedAt ?? 0) === 0 && this.host.getConnections().length > 0
        // republish on schedule, and no later than the path-building key's rotation
        const next = Math.min(this.options.republishIntervalMs, this.pbkStore.msUntilRotation() + 1)
        this.schedule(reachedNobody ? EARLY_RETRY_DELAY_MS : next)
      })
    }, delayMs)
    this.timer.unref()
  }

  private async publish (): Promise<void> {
    try {
      if (await this.pbkStore.rotateIfDue()) this.log.info('path-building key rotated', { notAfter: new Date(this.pbkStore.current().notAfter).toISOString() })
      const record = this.buildRecord()
      this.tableSizeAtPublication = this.routingTableSize()
      const key = nodeRecordKey(this.host.peerId.toString())
      const { storedAt } = await writeRecord(this.host.services.dht, key, encodeNodeRecord(record), this.options.writeTimeoutMs)
      this.last = { record, publishedAt: this.clock(), storedAt }
      const addresses = dialableAddresses(this.host.getMultiaddrs(), this.options).map(String)
      const pbkHex = Buffer.from(record.pbk).toString('hex')
      if (addresses.join(',') !== this.lastAddresses || pbkHex !== this.lastPbk) {
        this.log.info('node record published', { storedAt, addresses, expiresAt: new Date(record.expiresAt).toISOString() })
      } else {
        this.log.debug('node record republished', { storedAt })
      }
      if (addresses.length === 0) this.log.warn('node record has no dialable address; set "announce" or network.allowPrivateAddresses')
      this.lastAddresses = addresses.join(',')
      this.lastPbk = pbkHex
    } catch (err) {
      this.log.warn('node record publication failed', { err })
    }
  }
}
