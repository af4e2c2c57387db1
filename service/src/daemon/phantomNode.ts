import { mkdir } from 'node:fs/promises'
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createPhantomHost, type PhantomHost } from '../link/phantomHost.js'
import { isAllowedAddress, type AddressPolicy } from '../link/addressPolicy.js'
import { parseIpv4Prefix } from '../tun/ipv4/ipv4Prefix.js'
import { loadOrCreateIdentityKey } from '../state/identityKey.js'
import { PathBuildingKeyStore } from '../state/pathBuildingKeyStore.js'
import { PeerCache } from '../state/peerCache.js'
import { createRecordValidators } from '../netdb/recordValidators.js'
import { recordSelectors } from '../netdb/recordSelectors.js'
import { NodeRecordPublisher } from '../netdb/nodeRecordPublisher.js'
import { readBestRecord, type RecordReadResult } from '../netdb/recordReader.js'
import { writeRecord } from '../netdb/recordWriter.js'
import { GuardedRecordStore } from '../netdb/guardedRecordStore.js'
import { RejectionCounter } from '../netdb/rejectionCounter.js'
import { sampleRandomNodes, type SampledNode } from '../netdb/randomNodeSampler.js'
import type { Logger } from '../logging/logger.js'
import { loadOrCreateApIdentity, type ApIdentity } from '../state/apIdentityKey.js'
import { DEFAULT_PATH_SETTINGS, PathService, type PathSummary } from '../path/service/index.js'
import { nodeRecordKey } from '../netdb/recordKeys.js'
import { decodeNodeRecord } from '../netdb/records/nodeRecord.js'
import { deriveApAddress, formatApAddress } from '../netdb/apAddress.js'
import { phantomNameFromRoutingKey } from '../netdb/phantomName.js'
import { multiaddr } from '@multiformats/multiaddr'
import type { NodeSettings } from './nodeSettings.js'
import { KeySearcher } from '../tunnel/search/keySearcher.js'
import { TunnelService, TunnelRequestError, type ResolvedApRecord, type TunnelSummary, type TunnelTestHooks } from '../tunnel/service/index.js'
import { SessionService, type SessionSummary } from '../session/service/index.js'
import { apRecordKey } from '../netdb/recordKeys.js'
import { decodeApRecord } from '../netdb/records/apRecord.js'
import { SocksServer } from '../socks/socksServer.js'
import { PhantomConnectError } from '../socks/socksConnectError.js'
import { formatListenAddress } from '../socks/loopbackListenAddress.js'
import { TunInterface, TunUnavailableError, type TunInterfaceStatus } from './tunInterface.js'
import type { RouterStats } from '../tun/router/index.js'
import type { Ipv4TranslatorStats } from '../tun/ipv4/ipv4Translator.js'
import { PhantomResolver } from '../dns/phantomResolver.js'
import { loadHostsFile, PetnameTable } from '../dns/hostsFile.js'
import { isSystemdResolvedRunning, routePhantomDomain, unroutePhantomDomain } from '../dns/resolvedRouting.js'
import { apAddressOfTarget } from '../netdb/apTarget.js'
import { phantomVersion } from './version.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadSeedPeers } from '../link/seedPeers.js'
import { OperatorNames } from '../link/operatorNames.js'
import { seedEntriesForExport } from '../link/seedExport.js'
import { DiscoveryDialBackoff } from '../link/discoveryDialBackoff.js'

const PEER_CACHE_SAVE_INTERVAL_MS = 5 * 60_000
/** DATA frames up to this size: fewer, larger records through every hop (each hop's cost is mostly per message). */
const BULK_DATA_PAYLOAD_BYTES = 60 * 1024
/** Receive windows: a connection through six hops has a long round trip, and a stream can only have a window in flight. */
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024
const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024 - 1
const PEER_CACHE_DIAL_CONCURRENCY = 16
/** A LAN dial to a slow peer (an old PC, an emulated VM) may take seconds to finish its Noise handshake. */
const DISCOVERY_DIAL_TIMEOUT_MS = 20_000
const RECORD_WRITE_TIMEOUT_MS = 30_000
const RECORD_READ_TIMEOUT_MS = 20_000
const RECORD_READ_SETTLE_MS = 250
/** Discovered peers are dialled while the node has fewer connections than this. */
const MAX_DISCOVERY_DIALS_WHEN_CONNECTED = 64
/** A node with no connection at all re-dials its bootstrap and seed peers this often (they may have been down, or the network not up yet). */
const REJOIN_INTERVAL_MS = 30_000
const REJOIN_DIAL_CONCURRENCY = 8

export interface PeerSummary {
  peerId: string
  addresses: string[]
  direction: string
  openedAt: number
}

export interface NodeStatus {
  version: string
  peerId: string
  listen: string[]
  peers: number
  uptimeSeconds: number
  netdb: {
    records: number
    routingTable: number
    ready: boolean
    nodeRecord: { publishedAt: string, expiresAt: string, storedAt: number } | null
    /** Records received from the network and rejected by the validators, by reason. */
    rejected: Record<string, number>
  }
  paths: Array<{ kind: string, hops: number, state: string, builtMs: number }>
  ap: Array<{ address: string, name: string }>
  pathBuildingKey: { publicKey: string, notAfter: string }
  peerCache: number
  /** Resident set, V8 heap in use, and memory held by Buffers and ArrayBuffers outside the heap (packets, stream buffers). */
  memory: { rssMiB: number, heapUsedMiB: number, buffersMiB: number }
  sessions: number
  tunnels: number
  tunnelKeyCount: number
  socks: string | null
  /** The TUN interface, or null (then `tunProblem` says why). */
  tun: TunInterfaceStatus | null
  tunProblem?: string
  /** The TUN packet router's counters and gauges (docs/tun.md, "Counters"), or null without a TUN interface. */
  tunRouter: RouterStats | null
  /** The IPv4 translator's counters (docs/tun.md, "IPv4-only programs"), or null without the mapping. */
  tunIpv4: Ipv4TranslatorStats | null
  /** Where the .phantom resolver listens, or null (then `dnsProblem` says why). */
  dns: string | null
  dnsProblem?: string
}

type ValidateFn = (key: Uint8Array, value: Uint8Array) => void
type SelectFn = (key: Uint8Array, values: Uint8Array[]) => number

function validatorMap (counter?: RejectionCounter): Record<string, ValidateFn> {
  const v = createRecordValidators()
  const wrap = (fn: ValidateFn): ValidateFn => counter != null ? counter.wrap(fn) : fn
  return { 'phantom-node': wrap(v['phantom-node']), 'phantom-ap': wrap(v['phantom-ap']) }
}

function selectorMap (): Record<string, SelectFn> {
  return { 'phantom-node': recordSelectors['phantom-node'], 'phantom-ap': recordSelectors['phantom-ap'] }
}

function memoryInMiB (): NodeStatus['memory'] {
  const m = process.memoryUsage()
  const mib = (bytes: number): number => Math.round(bytes / 1048576 * 10) / 10
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), buffersMiB: mib(m.arrayBuffers) }
}

/** The namespace of a DHT key: `/phantom-node/…` → `phantom-node`. */
function recordNamespace (key: Uint8Array): string {
  return Buffer.from(key).toString('utf8').split('/')[1] ?? ''
}

/**
 * One running Phantom node: identity and keys, the libp2p host with the
 * network database, its own node record, the peer cache. The control socket
 * and the CLI sit on top of it.
 */
export class PhantomNode {
  private readonly startedAt = Date.now()
  private cacheTimer: NodeJS.Timeout | undefined
  private stopping: Promise<void> | undefined
  /** Connections peers have opened to this node since it started (a node nobody can reach has none). */
  inboundConnections = 0
  pathService!: PathService
  tunnelService!: TunnelService
  sessionService!: SessionService
  socksServer: SocksServer | null = null
  tunInterface: TunInterface | null = null
  resolver: PhantomResolver | null = null
  /** Why there is no resolver (configuration, or the error that prevented it). */
  resolverProblem: string | null = null
  petnames: PetnameTable = new PetnameTable()
  private resolvedRoutedOn: string | null = null
  /** Why there is no TUN interface (configuration, or the error that prevented it). */
  tunProblem: string | null = null
  private searcher!: KeySearcher
  private readonly discoveryDials = new Set<string>()
  private readonly discoveryBackoff = new DiscoveryDialBackoff()
  /** Bootstrap entries and the peers of the seed files, dialled at start and again while the node has no connection. */
  private joinPeers: string[] = []
  private rejoinTimer: NodeJS.Timeout | undefined
  private rejoining = false

  private constructor (
    readonly settings: NodeSettings,
    readonly host: PhantomHost,
    private readonly identity: Ed25519PrivateKey,
    private readonly pbkStore: PathBuildingKeyStore,
    private readonly peerCache: PeerCache,
    private readonly datastore: GuardedRecordStore,
    readonly publisher: NodeRecordPublisher,
    private readonly rejections: RejectionCounter,
    readonly apIdentity: ApIdentity,
    private readonly operatorNames: OperatorNames,
    private readonly log: Logger
  ) {}

  /** `hooks` are for tests only (instrumentation and misbehaving relays); production never passes them. */
  static async start (settings: NodeSettings, log: Logger, hooks: { tunnel?: TunnelTestHooks } = {}): Promise<PhantomNode> {
    await mkdir(settings.dataDir, { recursive: true, mode: 0o700 })
    // a bad petnames file stops the node before anything starts (HostsFileError names file and line)
    const petnames = settings.dns.enabled ? await loadHostsFile(settings.dns.hostsFile) : new PetnameTable()
    const { key: identity, created } = await loadOrCreateIdentityKey(settings.dataDir)
    const pbkStore = await PathBuildingKeyStore.open(settings.dataDir, { rotateAfterMs: settings.pathBuildingKeyRotationMs, graceMs: settings.pathBuildingKeyGraceMs })
    const peerCache = new PeerCache(settings.dataDir, settings.peerCacheSize)
    const cached = await peerCache.load()
    if (cached.problem != null) log.warn('peer cache problem', { problem: cached.problem })

    const operatorNames = new OperatorNames(addressPolicyOf(settings), log.child('link'))
    operatorNames.addFrom(settings.bootstrap.map(a => multiaddr(a)))
    const seeds = await loadSeedPeers(settings.seedFiles ?? [], peerIdFromPrivateKey(identity).toString(), addressPolicyOf(settings), operatorNames, log.child('seed'))
    const joinPeers = [...new Set([...settings.bootstrap, ...seeds])]

    const rejections = new RejectionCounter()
    const selectors = selectorMap()
    const datastore = new GuardedRecordStore(
      (key, values) => selectors[recordNamespace(key)]?.(key, values) ?? 1,
      (key) => { log.debug('kept a better record over an incoming one', { key: Buffer.from(key).toString('utf8') }) }
    )
    const host = await createPhantomHost({
      ipv4MappingPrefix: addressPolicyOf(settings).ipv4MappingPrefix,
      privateKey: identity,
      listen: settings.listen,
      announce: settings.announce,
      bootstrap: joinPeers,
      mdns: settings.mdns,
      allowPrivateAddresses: settings.allowPrivateAddresses,
      reachable: settings.reachable ?? true,
      validators: { ...validatorMap(rejections) },
      selectors: { ...selectorMap() },
      datastore,
      operatorNames,
      // started below, once the node listens for identify and discovery events (the bootstrap
      // peers are dialled and identified at start; an event missed then is never raised again)
      start: false
    })
    const publisher = new NodeRecordPublisher(host, identity, pbkStore, {
      allowPrivateAddresses: settings.allowPrivateAddresses,
      lifetimeMs: settings.nodeRecordLifetimeMs,
      republishIntervalMs: settings.nodeRecordRepublishIntervalMs,
      writeTimeoutMs: RECORD_WRITE_TIMEOUT_MS,
      relayCapacity: 0
    }, log.child('netdb'))
    const { identity: apIdentity, created: newAp } = await loadOrCreateApIdentity(settings.dataDir)
    const node = new PhantomNode(settings, host, identity, pbkStore, peerCache, datastore, publisher, rejections, apIdentity, operatorNames, log)
    node.joinPeers = joinPeers
    node.watchPeers()
    await host.start()
    // the owner's key search runs in a worker; its start-up calibration chooses N, the tunnel keys of every X-node
    node.petnames = petnames
    node.searcher = await KeySearcher.start({ hopCount: settings.path.x ?? DEFAULT_PATH_SETTINGS.x })
    const ownAp = deriveApAddress(apIdentity.routing.publicKey)
    node.tunnelService = new TunnelService({
      host,
      log: log.child('tunnel'),
      searcher: node.searcher,
      resolveApRecord: async (ap) => await node.resolveApRecord(ap),
      ownApAddresses: () => [ownAp],
      ...(settings.tunnel != null ? { settings: settings.tunnel } : {}),
      ...(hooks.tunnel != null ? { hooks: hooks.tunnel } : {})
    })
    node.sessionService = new SessionService({
      tunnels: node.tunnelService,
      routing: apIdentity.routing,
      e2e: { publicKey: apIdentity.e2ePublicKey, secretKey: apIdentity.e2eSecretKey },
      services: settings.services,
      log: log.child('session'),
      sessionOptions: {
        keepAliveIntervalMs: 30_000,
        maxDataPayloadBytes: BULK_DATA_PAYLOAD_BYTES,
        streamWindowBytes: STREAM_WINDOW_BYTES,
        connectionWindowBytes: CONNECTION_WINDOW_BYTES,
        ...(settings.session != null ? { streamIdleTimeoutMs: settings.session.streamIdleTimeoutMs } : {})
      }
    })
    node.pathService = new PathService({
      tunnels: node.tunnelService,
      host,
      usablePbkKeys: () => pbkStore.usable(),
      sampleNodes: async (count, o) => await sampleRandomNodes(node, { count, diversity: o.diversity, exclude: o.exclude, walks: Math.max(3, count), timeoutMs: 20_000 }),
      lookupNode: async (peerId) => await node.lookupNode(peerId),
      putRecord: async (key, value) => await node.putRecord(key, value),
      ownerIdentity: { routing: apIdentity.routing, e2ePublicKey: apIdentity.e2ePublicKey },
      inboundConnectionsSeen: () => node.inboundConnections,
      log: log.child('path')
    }, { keyCount: node.searcher.keyCount, ...settings.path })
    log.info('node started', {
      version: phantomVersion(),
      ap: formatApAddress(deriveApAddress(apIdentity.routing.publicKey)),
      newAp,
      peerId: host.peerId.toString(),
      newIdentity: created,
      listen: host.getMultiaddrs().map(String),
      cachedPeers: cached.peers.length,
      bootstrap: settings.bootstrap.length,
      seedPeers: seeds.length,
      mdns: settings.mdns
    })
    publisher.start()
    await node.tunnelService.start()
    await node.pathService.start()
    if (settings.tun.enabled) {
      try {
        node.tunInterface = await TunInterface.start({ ...settings.tun, ...settings.ap }, ownAp, node.sessionService, log.child('tun'))
      } catch (err) {
        if (!(err instanceof TunUnavailableError)) throw err
        node.tunProblem = err.message
        log.warn('running without a TUN interface', { reason: err.message })
      }
    } else {
      node.tunProblem = 'tun.enabled is false'
    }
    if (settings.dns.enabled) await node.startResolver()
    else node.resolverProblem = 'dns.enabled is false'
    if (settings.socks.enabled) {
      node.socksServer = new SocksServer({
        listen: settings.socks.listen,
        lookupName: (name) => node.petnames.lookup(name),
        logger: log.child('socks'),
        connect: async (target, { signal }) => await node.openStream(target.ap, target.port, signal)
      })
      await node.socksServer.start()
    }
    void node.primeFromCache()
    node.cacheTimer = setInterval(() => { void node.saveCache() }, PEER_CACHE_SAVE_INTERVAL_MS)
    node.cacheTimer.unref()
    if (joinPeers.length > 0) {
      node.rejoinTimer = setInterval(() => { void node.rejoinIfAlone() }, REJOIN_INTERVAL_MS)
      node.rejoinTimer.unref()
    }
    return node
  }

  private cachedAddressPolicy: AddressPolicy | undefined

  private get addressPolicy (): AddressPolicy {
    this.cachedAddressPolicy ??= addressPolicyOf(this.settings)
    return this.cachedAddressPolicy
  }

  get peerId (): PeerId {
    return this.host.peerId
  }

  private watchPeers (): void {
    this.host.addEventListener('peer:identify', (evt) => {
      const { peerId, listenAddrs } = evt.detail
      const usable = listenAddrs.filter(a => isAllowedAddress(a, this.addressPolicy))
      this.log.debug('peer identified', { peer: peerId.toString(), listen: listenAddrs.map(String), usable: usable.length })
      this.peerCache.remember(peerId.toString(), usable)
    })
    // libp2p no longer dials what discovery (mDNS, bootstrap) finds: do it here, bounded
    this.host.addEventListener('peer:discovery', (evt) => {
      const { id, multiaddrs } = evt.detail
      if (this.stopping != null || id.equals(this.host.peerId)) return
      if (this.host.getConnections(id).length > 0 || this.host.getConnections().length >= MAX_DISCOVERY_DIALS_WHEN_CONNECTED) return
      const peer = id.toString()
      if (this.discoveryDials.has(peer) || !this.discoveryBackoff.mayDial(peer, Date.now())) return
      this.discoveryDials.add(peer)
      const usable = multiaddrs.filter(a => isAllowedAddress(a, this.addressPolicy))
      this.log.debug('peer discovered', { peer, addresses: usable.map(String) })
      this.host.dial(id, { signal: AbortSignal.timeout(DISCOVERY_DIAL_TIMEOUT_MS) })
        .then(() => { this.log.info('connected to discovered peer', { peer }) })
        .catch((err: unknown) => {
          const retryInMs = this.discoveryBackoff.dialFailed(peer, Date.now())
          this.log.debug('discovered peer unreachable', { peer, retryInMs, err })
        })
        .finally(() => { this.discoveryDials.delete(peer) })
    })
    this.host.addEventListener('connection:open', (evt) => {
      if (evt.detail.direction === 'inbound') this.inboundConnections++
    })
    this.host.addEventListener('peer:connect', (evt) => {
      this.discoveryBackoff.connected(evt.detail.toString())
      this.log.debug('peer connected', { peer: evt.detail.toString() })
    })
    this.host.addEventListener('peer:disconnect', (evt) => {
      this.log.debug('peer disconnected', { peer: evt.detail.toString() })
    })
  }

  /** Re-primes the network from the persisted peer cache (§6.5), a bounded number of dials at a time. */
  private async primeFromCache (): Promise<void> {
    const addrs = this.peerCache.dialAddresses().filter(a => isAllowedAddress(a, this.addressPolicy))
    if (addrs.length === 0) return
    const connected = await this.dialAll(addrs, PEER_CACHE_DIAL_CONCURRENCY, 'cached peer unreachable')
    this.log.info('re-primed from peer cache', { tried: addrs.length, connected })
  }

  /** Dials every address, `concurrency` at a time, until the node stops; returns how many answered. */
  private async dialAll (addrs: Multiaddr[], concurrency: number, failure: string): Promise<number> {
    let next = 0
    let connected = 0
    const worker = async (): Promise<void> => {
      while (next < addrs.length && this.stopping == null) {
        const addr = addrs[next++] as Multiaddr
        try {
          await this.host.dial(addr, { signal: AbortSignal.timeout(10_000) })
          connected++
        } catch (err) {
          this.log.debug(failure, { addr: addr.toString(), err })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, addrs.length) }, worker))
    return connected
  }

  /** With no connection left, dials the bootstrap and seed peers again (libp2p's bootstrap discovery dials them once, at start). */
  private async rejoinIfAlone (): Promise<void> {
    if (this.rejoining || this.stopping != null || this.host.getConnections().length > 0) return
    this.rejoining = true
    try {
      const addrs = this.joinPeers.map(a => multiaddr(a))
      const connected = await this.dialAll(addrs, REJOIN_DIAL_CONCURRENCY, 'bootstrap or seed peer unreachable')
      // at info only when it helped: a node whose seeds are all gone would say the same every interval
      if (connected > 0) this.log.info('had no peers: rejoined through the bootstrap and seed peers', { tried: addrs.length, connected })
      else this.log.debug('no peers, and no bootstrap or seed peer answered', { tried: addrs.length })
    } finally {
      this.rejoining = false
    }
  }

  async saveCache (): Promise<void> {
    try {
      await this.peerCache.save()
    } catch (err) {
      this.log.warn('cannot save peer cache', { err })
    }
  }

  /** Connected peers, one entry per peer. */
  peers (): PeerSummary[] {
    const byPeer = new Map<string, PeerSummary>()
    for (const conn of this.host.getConnections()) {
      const id = conn.remotePeer.toString()
      const existing = byPeer.get(id)
      if (existing != null) {
        existing.addresses.push(conn.remoteAddr.toString())
        continue
      }
      byPeer.set(id, { peerId: id, addresses: [conn.remoteAddr.toString()], direction: conn.direction, openedAt: conn.timeline.open })
    }
    return [...byPeer.values()]
  }

  async countLocalRecords (): Promise<number> {
    let count = 0
    for await (const _ of this.datastore.queryKeys({ prefix: '/dht/record' })) count++
    return count
  }

  routingTableSize (): number {
    const dht = this.host.services.dht as unknown as { routingTable?: { size?: number } }
    return dht.routingTable?.size ?? 0
  }

  /** Ready once the own node record is stored at another node, or at once when no peer is known at all. */
  isNetdbReady (): boolean {
    const publication = this.publisher.lastPublication
    if (publication != null && publication.storedAt > 0) return true
    return this.host.getConnections().length === 0 && this.peerCache.count === 0 && this.joinPeers.length === 0 && publication != null
  }

  async status (): Promise<NodeStatus> {
    const publication = this.publisher.lastPublication
    const pbk = this.pbkStore.current()
    return {
      version: phantomVersion(),
      peerId: this.host.peerId.toString(),
      listen: this.host.getMultiaddrs().map(String),
      peers: this.peers().length,
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
      netdb: {
        records: await this.countLocalRecords(),
        routingTable: this.routingTableSize(),
        ready: this.isNetdbReady(),
        rejected: this.rejections.snapshot(),
        nodeRecord: publication == null
          ? null
          : { publishedAt: new Date(publication.publishedAt).toISOString(), expiresAt: new Date(publication.record.expiresAt).toISOString(), storedAt: publication.storedAt }
      },
      pathBuildingKey: { publicKey: pbk.publicKey.toString('hex'), notAfter: new Date(pbk.notAfter).toISOString() },
      peerCache: this.peerCache.count,
      memory: memoryInMiB(),
      sessions: this.sessionService.count,
      tunnels: this.tunnelService.summary().live,
      tunnelKeyCount: this.searcher.keyCount,
      socks: this.socksServer == null ? null : formatListenAddress(this.socksServer.address()),
      tun: this.tunInterface?.status() ?? null,
      tunRouter: this.tunInterface?.stats ?? null,
      tunIpv4: this.tunInterface?.ipv4Stats ?? null,
      dns: this.resolver == null ? null : formatListenAddress(this.resolver.address()),
      ...(this.resolverProblem != null ? { dnsProblem: this.resolverProblem } : {}),
      ...(this.tunProblem != null ? { tunProblem: this.tunProblem } : {}),
      paths: this.pathService.list().map(({ kind, hops, state, builtMs }) => ({ kind, hops, state, builtMs })),
      ap: [{ address: formatApAddress(deriveApAddress(this.apIdentity.routing.publicKey)), name: phantomNameFromRoutingKey(this.apIdentity.routing.publicKey) }]
    }
  }

  /** Reads a record, asking several responders and keeping the best valid copy. */
  async getRecord (key: Uint8Array): Promise<RecordReadResult | null> {
    const validators = validatorMap()
    const selectors = selectorMap()
    return await readBestRecord(this.host.services.dht, key, {
      responders: this.settings.queryResponders,
      timeoutMs: RECORD_READ_TIMEOUT_MS,
      settleMs: RECORD_READ_SETTLE_MS,
      validate: (k, v) => {
        const validator = validators[recordNamespace(k)]
        if (validator == null) throw new Error(`no validator for namespace ${recordNamespace(k)}`)
        validator(k, v)
      },
      select: (k, values) => selectors[recordNamespace(k)]?.(k, values) ?? 0
    })
  }

  async putRecord (key: Uint8Array, value: Uint8Array): Promise<number> {
    const { storedAt } = await writeRecord(this.host.services.dht, key, value, RECORD_WRITE_TIMEOUT_MS)
    return storedAt
  }

  /** Random nodes for paths (PROTOCOL.md §4). */
  async sampleNodes (count: number, diversity: boolean): Promise<SampledNode[]> {
    return await sampleRandomNodes(this, { count, diversity, walks: Math.max(3, Math.ceil(count / 2)), timeoutMs: 20_000 })
  }

  /** The .phantom resolver on loopback; routed for ~phantom by systemd-resolved when it runs and the TUN interface is up. */
  private async startResolver (): Promise<void> {
    const resolver = new PhantomResolver({
      listen: this.settings.dns.listen,
      petnames: this.petnames,
      logger: this.log.child('dns'),
      ipv4For: (ap) => this.tunInterface?.ipv4AddressFor(ap)
    })
    try {
      await resolver.start()
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      this.resolverProblem = code === 'EACCES'
        ? `cannot listen on ${this.settings.dns.listen}: a port below 1024 needs CAP_NET_BIND_SERVICE (the packaged unit has it)`
        : `cannot listen on ${this.settings.dns.listen}: ${(err as Error).message}`
      this.log.warn('running without the .phantom resolver', { reason: this.resolverProblem })
      return
    }
    this.resolver = resolver
    this.log.info('.phantom resolver listening', { listen: this.settings.dns.listen, petnames: this.petnames.size })
    const tun = this.tunInterface?.status().name
    if (tun != null && await isSystemdResolvedRunning()) {
      try {
        await routePhantomDomain(tun, resolver.address())
        this.resolvedRoutedOn = tun
        this.log.info('systemd-resolved routes ~phantom to the resolver', { link: tun })
      } catch (err) {
        this.log.warn('cannot route ~phantom through systemd-resolved', { err: (err as Error).message })
      }
    }
  }

  /** A name (.phantom name or petname) or AP address to its AP address, as the resolver answers it; null when it names nothing. */
  resolveName (name: string): { address: string, via: 'phantom-name' | 'petname' | 'address', ipv4: string | null } | null {
    const text = name.trim().toLowerCase().replace(/\.$/, '')
    let ap: Buffer | undefined = this.petnames.lookup(text)
    let via: 'phantom-name' | 'petname' | 'address' = 'petname'
    if (ap == null) {
      try {
        ap = apAddressOfTarget(text)
        via = text.endsWith('.phantom') ? 'phantom-name' : 'address'
      } catch {
        return null
      }
    }
    // the address IPv4-only programs use (mapped now, as an A question to the resolver would)
    const ipv4 = this.tunInterface?.ipv4AddressFor(ap)
    return { address: formatApAddress(ap), via, ipv4: ipv4 == null ? null : Array.from(ipv4).join('.') }
  }

  /** The exit node's lookup of a target: a valid, current AP record and its entry nodes. */
  async resolveApRecord (ap: Buffer): Promise<ResolvedApRecord | null> {
    const found = await this.getRecord(apRecordKey(ap))
    if (found == null) return null
    const record = decodeApRecord(found.value)
    return { bytes: Buffer.from(found.value), entryNodes: record.entryNodes }
  }

  /** A stream to `port` of an AP address (SOCKS, tests); errors say why for the SOCKS reply. */
  async openStream (ap: Buffer, port: number, signal?: AbortSignal): Promise<import('../session/streams/phantomStream.js').PhantomStream> {
    try {
      return await this.sessionService.openStream(ap, port, signal)
    } catch (err) {
      if (err instanceof TunnelRequestError && err.message === 'no ready exit path') throw new PhantomConnectError('network-unreachable', err.message)
      throw new PhantomConnectError('host-unreachable', (err as Error).message)
    }
  }

  sessions (): SessionSummary[] {
    return this.sessionService.list()
  }

  tunnels (): TunnelSummary {
    return this.tunnelService.summary()
  }

  /** The routing paths this node owns. */
  paths (): PathSummary[] {
    return this.pathService.list()
  }

  /** A named node with a valid node record (for trusted nodes the random sample missed). */
  async lookupNode (peerId: string): Promise<SampledNode | null> {
    try {
      const found = await this.getRecord(nodeRecordKey(peerId))
      if (found == null) return null
      const record = decodeNodeRecord(found.value)
      const addrs = record.multiaddrs.map(b => multiaddr(b)).filter(a => isAllowedAddress(a, this.addressPolicy))
      if (addrs.length === 0) return null
      return { peerId, record, addresses: addrs.map(String), proposedBy: 'lookup', multiaddrs: addrs.map(a => a.bytes) }
    } catch {
      return null
    }
  }

  /** Dials and remembers peers from a peer list (import). Returns how many connected. */
  async importPeers (addrs: Multiaddr[]): Promise<{ given: number, connected: number }> {
    let connected = 0
    // the operator imported these: their names may be looked up (link/operatorNames.ts)
    this.operatorNames.addFrom(addrs)
    await Promise.all(addrs.map(async (addr) => {
      try {
        await this.host.dial(addr, { signal: AbortSignal.timeout(10_000) })
        connected++
      } catch (err) {
        this.log.info('imported peer unreachable', { addr: addr.toString(), err })
      }
    }))
    await this.saveCache()
    return { given: addrs.length, connected }
  }

  /**
   * The lines of a seed file (`peers export`): this node's own addresses, then
   * the connected peers (the addresses this node dialled them at, and what
   * identify told), then the peer cache; only addresses the address policy
   * allows, each with /p2p/, at most SEED_FILE_MAX_ENTRIES (link/seedExport.ts).
   */
  exportPeers (): Multiaddr[] {
    const connected = new Map<string, string[]>()
    for (const conn of this.host.getConnections()) {
      const id = conn.remotePeer.toString()
      const addrs = connected.get(id) ?? []
      // an inbound connection's remote port is the peer's ephemeral one: only dialled addresses are worth handing on
      if (conn.direction === 'outbound') addrs.push(conn.remoteAddr.decapsulateCode(0x01a5).toString())
      connected.set(id, addrs)
    }
    return seedEntriesForExport({
      ownPeerId: this.host.peerId.toString(),
      ownAddrs: this.host.getMultiaddrs(),
      connected: [...connected].map(([peerId, addrs]) => ({ peerId, addrs })),
      cached: this.peerCache.list(),
      allowed: (a) => isAllowedAddress(a, this.addressPolicy)
    }).map(a => multiaddr(a))
  }

  get identityKey (): Ed25519PrivateKey {
    return this.identity
  }

  /** Clean shutdown: stop publishing, save the cache, stop libp2p. Idempotent. */
  async stop (): Promise<void> {
    if (this.stopping == null) {
      this.stopping = (async () => {
        this.publisher.stop()
        if (this.socksServer != null) await this.socksServer.stop().catch(() => {})
        if (this.resolvedRoutedOn != null) await unroutePhantomDomain(this.resolvedRoutedOn).catch(() => {})
        if (this.resolver != null) await this.resolver.stop().catch(() => {})
        this.tunInterface?.stop()
        this.sessionService.stop()
        await this.pathService.stop()
        await this.tunnelService.stop()
        await this.searcher.close().catch(() => {})
        if (this.cacheTimer != null) clearInterval(this.cacheTimer)
        if (this.rejoinTimer != null) clearInterval(this.rejoinTimer)
        await this.saveCache()
        await this.host.stop()
        this.log.info('node stopped')
      })()
    }
    await this.stopping
  }
}

/** What the node dials and announces (link/addressPolicy.ts): its private-address setting, and never its own phantom0's addresses. */
function addressPolicyOf (settings: NodeSettings): AddressPolicy {
  const ipv4 = settings.tun.enabled && settings.tun.ipv4.enabled ? parseIpv4Prefix(settings.tun.ipv4.prefix) : null
  return { allowPrivateAddresses: settings.allowPrivateAddresses, ipv4MappingPrefix: ipv4 === null ? null : [ipv4.network, ipv4.length] }
}
