/**
 * Routing paths over the real network (PROTOCOL.md §6): registers the
 * /phantom/setup and /phantom/link handlers (this node as ring member and
 * X-node for others), and as an owner keeps `exitCount` exit and
 * `entryCount` entry paths ready: samples fresh nodes, builds, rebuilds with
 * other nodes after a failure (backoff, members of a failed ring avoided for
 * `suspectForMs`), rotates every path after `rotateAfterMs` (the replacement
 * is built first), and tears a path down as soon as its link to X1 closes.
 */
import { randomInt, shuffleInPlace, type X25519KeyPair } from '../../crypto/index.js'
import { PHANTOM_LINK_PROTOCOL, PHANTOM_SETUP_PROTOCOL } from '../../link/phantomProtocols.js'
import type { Logger } from '../../logging/logger.js'
import type { EntryNode } from '../../netdb/records/apRecord.js'
import type { SampledNode } from '../../netdb/randomNodeSampler.js'
import { fittingMultiaddrs, peerIdBytes, peerIdOfBytes } from '../network/peerAddressing.js'
import { resetQuietly } from '../network/streamSend.js'
import type { PathSetupRequest } from '../owner/buildPathSetup.js'
import { orderRing, type RingOrder } from '../ring/ringOrder.js'
import type { RingPeer } from '../ring/ringPeer.js'
import type { PeerRef } from '../setup/peerRef.js'
import { LinkRendezvous } from './linkRendezvous.js'
import { MemberLinks, type RelayedPathHandle } from './memberLinks.js'
import type { PathHop } from '../owner/pathSetupPlan.js'
import type { Stream } from '@libp2p/interface'
import { emptyTimings, PathBuildError, ROUND1_SILENCE, runOwnerBuild, type BuildStage, type BuildTimings, type OwnedLink } from './ownerBuild.js'
import { OwnerReturns } from './ownerReturns.js'
import { resolvePathSettings, type PathSettings } from './pathDefaults.js'
import { signedEntryRecord, type PathOwnerIdentity } from './pathOwnerIdentity.js'
import type { PathHost, PathRuntime, PathTestHooks } from './pathRuntime.js'
import { SetupRelay } from './setupRelay.js'

export type PathKind = 'exit' | 'entry'
export type PathState = 'building' | 'ready' | 'failed'

export interface PathServiceDeps {
  host: PathHost
  /** Current path-building key first, then one in its grace period (PathBuildingKeyStore.usable()). */
  usablePbkKeys: () => X25519KeyPair[]
  /** Random nodes with a valid node record (netdb/randomNodeSampler.ts). */
  sampleNodes: (count: number, options: { diversity: boolean, exclude: Set<string> }) => Promise<SampledNode[]>
  /** DHT put; the terminating node of an entry path publishes the AP record it was handed. */
  putRecord: (key: Uint8Array, value: Uint8Array) => Promise<number>
  /** The routing and e2e keys of the AP address that entry paths serve; without it no entry paths are built. */
  ownerIdentity?: PathOwnerIdentity
  /** Optional: the node record of a named peer (used for trusted nodes the sample did not contain). */
  lookupNode?: (peerId: string) => Promise<SampledNode | null>
  log: Logger
  clock?: () => number
  /** The tunnel layer: takes over the link streams of relayed and owned paths once they are linked. */
  tunnels?: PathTunnelListener
  /** Optional: how many connections peers have opened to this node so far (for the reachability hint). */
  inboundConnectionsSeen?: () => number
}

/** Builds in a row whose round 1 never came back, at a node nobody ever connected to, before it is told it may be unreachable. */
export const UNREACHABLE_HINT_AFTER = 3

/** An own path once ready, handed to the tunnel layer (which reads its link stream from then on). */
export interface OwnedPathHandle {
  readonly id: string
  readonly kind: PathKind
  /** X1 … Xn with link IDs and key seeds. */
  readonly hops: PathHop[]
  /** Link stream to X1. */
  readonly stream: Stream
  close: () => void
  onClose: (listener: () => void) => void
}

export interface PathTunnelListener {
  relayedPathLinked: (handle: RelayedPathHandle) => void
  ownedPathReady: (handle: OwnedPathHandle) => void
}

export interface PathSummary {
  id: string
  kind: PathKind
  hops: number
  state: PathState
  /** Since the path became ready (building: since the build started). */
  ageMs: number
  /** How long the build took (0 while building). */
  builtMs: number
}

/** What a build attempt used and how it ended (for tests, benchmarks and logs). */
export interface BuildAttempt {
  /** Ring members in ring order (PeerId text) with their roles. */
  ring: Array<{ peerId: string, role: 'X' | 'Y' }>
  /** Final path order X1 … Xn (PeerId text). */
  path: string[]
  terminating: string
  reversed: boolean
  ok: boolean
  stage?: BuildStage
  reason?: string
  timings: BuildTimings
}

export interface BuildResult {
  ok: boolean
  path: PathSummary | null
  attempts: BuildAttempt[]
  /** AP address served, for an entry path. */
  apAddress?: Buffer
}

interface OwnedPath {
  id: string
  kind: PathKind
  hops: number
  state: PathState
  startedAt: number
  readyAt: number
  builtMs: number
  /** The terminating node, as listed in AP records of entry paths. */
  entryNode: EntryNode | null
  link: OwnedLink | null
  closeListeners: Array<() => void>
  /** Entry paths: the handed AP record expires then; the path is rotated before. */
  recordExpiresAt: number
}

const FAILED_KEPT = 8
const FAILED_KEPT_MS = 5 * 60_000
const MAINTAIN_INTERVAL_MS = 1000

export class PathService {
  readonly settings: PathSettings
  private readonly rt: PathRuntime
  private readonly returns = new OwnerReturns()
  private readonly rendezvous: LinkRendezvous
  private readonly links: MemberLinks
  private readonly relay: SetupRelay
  private readonly paths = new Map<string, OwnedPath>()
  private readonly suspects = new Map<string, number>()
  private readonly nextAttemptAt: Record<PathKind, number> = { exit: 0, entry: 0 }
  private readonly backoff: Record<PathKind, number>
  private timer: NodeJS.Timeout | undefined
  private running = false
  /** Whether the last build found this node without a dialable address (logged when it changes). */
  private undialable = false
  /** Own builds in a row, named with addresses, whose round-1 array never came back. */
  private round1Silences = 0
  private unreachableHinted = false
  private relayStarted = false
  private serial = 0
  private streamSerial = 0
  private lastSequence = 0n

  constructor (private readonly deps: PathServiceDeps, settings: Partial<PathSettings> = {}, hooks: PathTestHooks = {}) {
    this.settings = resolvePathSettings(settings)
    this.rt = {
      host: deps.host,
      settings: this.settings,
      log: deps.log,
      clock: deps.clock ?? Date.now,
      hooks,
      usablePbkKeys: deps.usablePbkKeys,
      selfPeerId: peerIdBytes(deps.host.peerId),
      nextStreamTag: () => `s${++this.streamSerial}`
    }
    this.backoff = { exit: this.settings.retryBackoffMinMs, entry: this.settings.retryBackoffMinMs }
    this.rendezvous = new LinkRendezvous(this.rt, () => this.relay.xSetupsAwaitingRound2)
    this.links = new MemberLinks(this.rt, this.rendezvous, deps.putRecord, deps.tunnels == null ? undefined : (h) => { deps.tunnels?.relayedPathLinked(h) })
    this.relay = new SetupRelay(this.rt, this.returns, this.links)
  }

  /** Registers the member-side handlers only (no own paths kept); start() does this and more. */
  async startRelay (): Promise<void> {
    if (this.relayStarted) return
    this.relayStarted = true
    this.relay.resume()
    const limit = { maxInboundStreams: this.settings.maxConcurrentSetups + 8, maxOutboundStreams: this.settings.maxConcurrentSetups + 8, runOnLimitedConnection: false }
    await this.deps.host.handle(PHANTOM_SETUP_PROTOCOL, this.relay.handle, limit)
    await this.deps.host.handle(PHANTOM_LINK_PROTOCOL, this.rendezvous.handle, { maxInboundStreams: this.settings.maxRelayedPaths, maxOutboundStreams: this.settings.maxRelayedPaths, runOnLimitedConnection: false })
  }

  /** Registers the handlers and starts keeping exitCount exit and entryCount entry paths ready. */
  async start (): Promise<void> {
    await this.startRelay()
    this.running = true
    this.timer = setInterval(() => { this.maintain() }, MAINTAIN_INTERVAL_MS)
    this.timer.unref()
    this.maintain()
  }

  /** Unregisters the handlers, closes every path and stream, clears timers. */
  async stop (): Promise<void> {
    this.running = false
    if (this.timer != null) clearInterval(this.timer)
    this.timer = undefined
    for (const path of this.paths.values()) this.closePath(path.id)
    this.relay.closeAll()
    this.links.closeAll()
    this.rendezvous.closeAll()
    if (this.relayStarted) await this.deps.host.unhandle([PHANTOM_SETUP_PROTOCOL, PHANTOM_LINK_PROTOCOL]).catch(() => {})
    this.relayStarted = false
  }

  list (): PathSummary[] {
    const now = this.rt.clock()
    this.pruneFailed(now)
    return [...this.paths.values()].map((p) => ({
      id: p.id,
      kind: p.kind,
      hops: p.hops,
      state: p.state,
      ageMs: Math.max(0, now - (p.state === 'building' ? p.startedAt : p.readyAt)),
      builtMs: p.builtMs
    }))
  }

  /** Member-side load, for status and tests. */
  memberLoad (): { waiting: number, setups: number, xAwaitingRound2: number, unlinked: number, relayed: number, parkedLinks: number, parkingRoom: number } {
    return {
      waiting: this.relay.waitingStreams,
      setups: this.relay.activeSetups,
      xAwaitingRound2: this.relay.xSetupsAwaitingRound2,
      unlinked: this.links.pendingCount,
      relayed: this.links.relayedCount,
      parkedLinks: this.rendezvous.parkedCount,
      parkingRoom: this.rendezvous.parkingRoom
    }
  }

  /** Forgets which nodes took part in failed builds (operator command, tests). */
  forgetSuspects (): void {
    this.suspects.clear()
  }

  /** Closes one own path (its link to X1 is reset, which tears down the whole path). */
  closePath (id: string): void {
    const path = this.paths.get(id)
    if (path == null) return
    if (path.link != null) {
      path.link.reader.detach()
      resetQuietly(path.link.stream, 'path closed')
      path.link = null
    }
    this.paths.delete(id)
    this.notifyClosed(path)
  }

  private notifyClosed (path: OwnedPath): void {
    for (const listener of path.closeListeners.splice(0)) {
      try { listener() } catch (err) { this.rt.log.warn('path close listener failed', { err }) }
    }
  }

  /**
   * Builds one path now, rebuilding with fresh nodes after a failure (members
   * of a failed ring are avoided), at most `maxAttempts` attempts.
   */
  async buildPath (kind: PathKind, options: { maxAttempts?: number } = {}): Promise<BuildResult> {
    const attempts: BuildAttempt[] = []
    const maxAttempts = options.maxAttempts ?? 3
    for (let i = 0; i < maxAttempts; i++) {
      const { attempt, path, apAddress } = await this.attempt(kind)
      attempts.push(attempt)
      if (path != null) return { ok: true, path: this.list().find((p) => p.id === path.id) ?? null, attempts, ...(apAddress != null ? { apAddress } : {}) }
    }
    return { ok: false, path: null, attempts }
  }

  /** One build attempt with a fresh sample; the path is registered while building. */
  private async attempt (kind: PathKind): Promise<{ attempt: BuildAttempt, path: OwnedPath | null, apAddress?: Buffer }> {
    const timings = emptyTimings()
    const startedAt = this.rt.clock()
    const path: OwnedPath = { id: `p${++this.serial}`, kind, hops: this.settings.x, state: 'building', startedAt, readyAt: 0, builtMs: 0, entryNode: null, link: null, closeListeners: [], recordExpiresAt: Infinity }
    this.paths.set(path.id, path)
    const attempt: BuildAttempt = { ring: [], path: [], terminating: '', reversed: false, ok: false, timings }
    let apAddress: Buffer | undefined
    try {
      const ring = await this.chooseRing()
      timings.sampleMs = this.rt.clock() - startedAt
      attempt.ring = ring.members.map((m) => ({ peerId: peerIdOfBytes(m.peer.peerId).toString(), role: m.role }))
      attempt.path = ring.pathIndices.map((i) => attempt.ring[i]!.peerId)
      attempt.terminating = attempt.ring[ring.terminatingIndex]!.peerId
      attempt.reversed = ring.reversed
      const owner = this.ownerRef()
      const request: PathSetupRequest = { owner, ring, kind, keyCount: this.settings.keyCount }
      if (this.rt.hooks.forceReadyFirst != null) request.readyFirst = this.rt.hooks.forceReadyFirst
      if (kind === 'entry') {
        const identity = this.deps.ownerIdentity
        if (identity == null) throw new PathBuildError('plan', 'no owner identity for entry paths')
        const terminating = ring.members[ring.terminatingIndex]!.peer
        const entryNode: EntryNode = { peerId: Buffer.from(terminating.peerId), multiaddrs: terminating.multiaddrs.map((m) => Buffer.from(m)) }
        const others = [...this.paths.values()].filter((p) => p.kind === 'entry' && p.state === 'ready' && p.entryNode != null).map((p) => p.entryNode as EntryNode)
        const now = this.rt.clock()
        this.lastSequence = BigInt(now) > this.lastSequence ? BigInt(now) : this.lastSequence + 1n
        const signed = signedEntryRecord(identity, [entryNode, ...others], this.lastSequence, now, this.settings.apRecordLifetimeMs)
        request.entry = { apAddress: signed.apAddress, apRecord: signed.apRecord }
        path.entryNode = entryNode
        path.recordExpiresAt = signed.expiresAt
        apAddress = signed.apAddress
      }
      const link = await runOwnerBuild(this.rt, this.returns, this.rendezvous, request, timings)
      timings.totalMs = this.rt.clock() - startedAt
      if (!this.paths.has(path.id)) {
        // closed (service stopped) while building
        resetQuietly(link.stream, 'path closed')
        throw new PathBuildError('link', 'path closed while building')
      }
      path.link = link
      path.state = 'ready'
      path.readyAt = this.rt.clock()
      path.builtMs = timings.totalMs
      link.stream.addEventListener('close', () => { this.onLinkClosed(path) }, { once: true })
      if (link.stream.status !== 'open') this.onLinkClosed(path)
      else if (this.deps.tunnels != null) {
        link.reader.detach()
        this.deps.tunnels.ownedPathReady({
          id: path.id,
          kind,
          hops: link.hops,
          stream: link.stream,
          close: () => { this.closePath(path.id) },
          onClose: (listener) => { if (path.state === 'ready') path.closeListeners.push(listener); else listener() }
        })
      }
      attempt.ok = true
      this.round1Silences = 0
      this.rt.log.info('path ready', { id: path.id, kind, hops: path.hops, ms: timings.totalMs })
      return { attempt, path, ...(apAddress != null ? { apAddress } : {}) }
    } catch (err) {
      const failure = err instanceof PathBuildError ? err : new PathBuildError('sample', (err as Error).message)
      attempt.stage = failure.stage
      attempt.reason = failure.message
      timings.totalMs = this.rt.clock() - startedAt
      path.state = 'failed'
      path.readyAt = this.rt.clock()
      const until = this.rt.clock() + this.settings.suspectForMs
      if (failure.stage !== 'sample' && failure.stage !== 'plan') for (const m of attempt.ring) this.suspects.set(m.peerId, until)
      this.rt.log.info('path build failed', { id: path.id, kind, stage: failure.stage, reason: failure.message })
      this.noteRound1Silence(failure)
      return { attempt, path: null }
    }
  }

  private onLinkClosed (path: OwnedPath): void {
    if (path.state !== 'ready') return
    path.state = 'failed'
    path.readyAt = this.rt.clock()
    path.link = null
    this.notifyClosed(path)
    this.rt.log.info('path closed', { id: path.id, kind: path.kind })
    if (this.running) queueMicrotask(() => { this.maintain() })
  }

  /**
   * The last ring member dials the owner at the addresses it announces. When
   * round 1 keeps not coming back and no peer has ever opened a connection to
   * this node, those addresses most likely reach nobody (NAT, a firewall, a
   * private address on a network that allows them): say so once, with the fix.
   */
  private noteRound1Silence (failure: PathBuildError): void {
    if (failure.stage !== 'round1' || !failure.message.includes(ROUND1_SILENCE) || this.undialable) return
    this.round1Silences++
    if (this.unreachableHinted || this.round1Silences < UNREACHABLE_HINT_AFTER || this.deps.inboundConnectionsSeen?.() !== 0) return
    this.unreachableHinted = true
    this.rt.log.warn('path builds keep failing in round 1 and no peer has ever connected to this node: it is probably not reachable at the addresses it announces; set network.reachable: false, or forward the port and set announce', {
      builds: this.round1Silences,
      announced: this.deps.host.getMultiaddrs().map(String)
    })
  }

  /**
   * This node as the ring's closing member: its PeerId and the addresses the
   * last member dials; none when it has no dialable address, and then the
   * build connects to the members that must reach it first (ownerBuild.ts).
   */
  private ownerRef (): PeerRef {
    const multiaddrs = fittingMultiaddrs(this.deps.host.getMultiaddrs())
    if ((multiaddrs.length === 0) !== this.undialable) {
      this.undialable = multiaddrs.length === 0
      if (this.undialable) {
        this.rt.log.warn('this node has no dialable address: it connects to its paths\' first nodes itself, and they can tell it owns those paths (docs/threat-model.md item 6)')
      } else {
        this.rt.log.info('this node has a dialable address again: its paths\' members dial it')
      }
    }
    return { peerId: this.rt.selfPeerId, multiaddrs }
  }

  private activeSuspects (): Set<string> {
    const now = this.rt.clock()
    for (const [id, until] of this.suspects) if (until <= now) this.suspects.delete(id)
    return new Set(this.suspects.keys())
  }

  /** Samples x + y fresh nodes (suspects avoided while enough others exist), places trusted nodes, orders the ring. */
  private async chooseRing (): Promise<RingOrder<RingPeer>> {
    const { x, extraY, diversity } = this.settings
    const y = 2 * x - 1 + randomInt(extraY + 1)
    const need = x + y
    const self = this.deps.host.peerId.toString()
    const base = new Set([self, ...this.settings.blocklist])
    const suspects = this.activeSuspects()
    const convert = (nodes: SampledNode[]): Array<{ id: string, peer: RingPeer }> => nodes.flatMap((n) => {
      if (base.has(n.peerId)) return []
      const multiaddrs = fittingMultiaddrs(n.multiaddrs)
      if (multiaddrs.length === 0 || n.record.pbk.byteLength !== 32) return []
      try {
        return [{ id: n.peerId, peer: { peerId: peerIdBytes(peerIdOfBytes(n.record.peerId)), multiaddrs, pbk: Buffer.from(n.record.pbk) } }]
      } catch {
        return []
      }
    })
    let chosen = convert(await this.deps.sampleNodes(need, { diversity, exclude: new Set([...base, ...suspects]) }))
    if (chosen.length < need && suspects.size > 0) {
      // not enough unsuspected nodes: fill up with suspects, least recently failed ones first is not tracked, so at random
      const more = convert(await this.deps.sampleNodes(need, { diversity, exclude: new Set([...base, ...chosen.map((c) => c.id)]) }))
      chosen = chosen.concat(more)
    }
    const seen = new Set<string>()
    chosen = chosen.filter((c) => !seen.has(c.id) && seen.add(c.id) != null)
    if (chosen.length < need) throw new PathBuildError('sample', `only ${chosen.length} of ${need} usable nodes`)
    shuffleInPlace(chosen)
    chosen = chosen.slice(0, need)
    const trusted = new Set(this.settings.trusted)
    if (trusted.size > 0 && !chosen.slice(0, x).some((c) => trusted.has(c.id))) {
      let t = chosen.findIndex((c) => trusted.has(c.id))
      if (t < 0 && this.deps.lookupNode != null) {
        for (const id of shuffleInPlace([...trusted].filter((id) => !base.has(id)))) {
          const found = convert([await this.deps.lookupNode(id)].filter((n): n is SampledNode => n != null))[0]
          if (found != null) { chosen[chosen.length - 1] = found; t = chosen.length - 1; break }
        }
      }
      if (t < 0) throw new PathBuildError('sample', 'no trusted node available')
      const tmp = chosen[0]!
      chosen[0] = chosen[t]!
      chosen[t] = tmp
    }
    const peers = chosen.map((c) => c.peer)
    const reverse = this.rt.hooks.forceReverse
    return orderRing(peers.slice(0, x), peers.slice(x), reverse == null ? {} : { reverse })
  }

  private pruneFailed (now: number): void {
    const failed = [...this.paths.values()].filter((p) => p.state === 'failed').sort((a, b) => b.readyAt - a.readyAt)
    failed.forEach((p, i) => { if (i >= FAILED_KEPT || now - p.readyAt > FAILED_KEPT_MS) this.paths.delete(p.id) })
  }

  /** Effective rotation age of a kind: entry paths also rotate before their AP record expires. */
  private isDue (path: OwnedPath, now: number): boolean {
    if (now - path.readyAt >= this.settings.rotateAfterMs) return true
    return path.kind === 'entry' && now >= path.recordExpiresAt - Math.min(5 * 60_000, this.settings.apRecordLifetimeMs / 10)
  }

  /** Keeps the configured number of fresh ready paths per kind; rotates due ones once replacements are ready. */
  private maintain (): void {
    if (!this.running) return
    const now = this.rt.clock()
    this.pruneFailed(now)
    for (const kind of ['exit', 'entry'] as const) {
      const target = kind === 'exit' ? this.settings.exitCount : (this.deps.ownerIdentity != null ? this.settings.entryCount : 0)
      const mine = [...this.paths.values()].filter((p) => p.kind === kind)
      const fresh = mine.filter((p) => p.state === 'ready' && !this.isDue(p, now))
      const building = mine.filter((p) => p.state === 'building').length
      if (fresh.length >= target) {
        for (const p of mine) if (p.state === 'ready' && this.isDue(p, now)) this.closePath(p.id)
      }
      // entry paths are built one at a time, so that each new AP record also lists the entry nodes of the paths built before it
      const missing = kind === 'entry' ? Math.min(target - fresh.length - building, 1 - building) : target - fresh.length - building
      if (missing <= 0 || now < this.nextAttemptAt[kind]) continue
      for (let i = 0; i < missing; i++) {
        void this.attempt(kind).then(({ path }) => {
          if (path != null) {
            this.backoff[kind] = this.settings.retryBackoffMinMs
          } else {
            this.nextAttemptAt[kind] = this.rt.clock() + this.backoff[kind]
            this.backoff[kind] = Math.min(this.backoff[kind] * 2, this.settings.retryBackoffMaxMs)
          }
          if (path != null && !this.running) this.closePath(path.id)
          if (this.running) this.maintain()
        })
      }
    }
  }
}
