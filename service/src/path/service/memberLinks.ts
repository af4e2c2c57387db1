/**
 * The X-node's side of linking (PROTOCOL.md §6 "Linking") on
 * /phantom/link/2.0.0. Right after round 2 an X-node links every edge to its
 * final neighbours: it opens the edges where its PeerId is the smaller one
 * and claims the others (LinkRendezvous), within setupStateTtlMs. Once all
 * its edges are up, one ready block crosses it each way:
 *
 * - a relay forwards whichever ready block comes first to its other edge,
 *   XORed with its layer, then the one coming back the same way. It never
 *   learns which neighbour is toward the owner: the package names them as an
 *   unordered pair, who opens an edge depends on PeerIds only, and which end
 *   starts the ready exchange is the owner's coin toss;
 * - the terminating node sends its ready block first or answers the owner's,
 *   as its package says, and checks the owner's block; an entry path's
 *   terminating node then publishes the AP record it was handed, and
 *   republishes it while the path lives.
 *
 * The link streams stay open; closing or resetting either one tears the
 * relayed path down.
 */
import type { Stream } from '@libp2p/interface'
import { constantTimeEqual } from '../../crypto/index.js'
import { decodeApRecord } from '../../netdb/records/apRecord.js'
import { apRecordKey } from '../../netdb/recordKeys.js'
import type { PathMemberState, PathNeighbour } from '../member/memberState.js'
import { LINK_BLOCK_BYTES, ownerCheck, relayReadyLayer, terminalReady, xorBlocks } from '../network/linkBlocks.js'
import { resetQuietly, sendAll } from '../network/streamSend.js'
import type { LinkRendezvous } from './linkRendezvous.js'
import { dropEdge, openEdge, opensEdge, type EdgeStream } from './pathEdge.js'
import type { PathRuntime } from './pathRuntime.js'

/** A path between round 2 and the end of its ready exchange. */
interface LinkingPath {
  state: PathMemberState
  edges: Array<EdgeStream | null>
  cancels: Array<() => void>
  timer: NodeJS.Timeout
  deadline: number
  finished: boolean
}

interface RelayedPath {
  streams: Stream[]
  republish: NodeJS.Timeout | undefined
  terminating: boolean
  closeListeners: Array<() => void>
}

export type PutRecord = (key: Uint8Array, value: Uint8Array) => Promise<number>

/** One edge of a relayed path, handed to the tunnel layer. */
export interface RelayedEdge {
  readonly neighbour: PathNeighbour
  readonly stream: Stream
}

/**
 * A path this node relays as an X-node, once linked: what the tunnel layer
 * needs. The link streams are handed over with no reader attached; the
 * tunnel layer reads them from now on. `close` tears the path down;
 * `onClose` runs once when it goes (either way).
 */
export interface RelayedPathHandle {
  readonly state: PathMemberState
  /** In the order of `state.neighbours`: two for a relay, one at the terminating node. */
  readonly edges: readonly RelayedEdge[]
  close: () => void
  onClose: (listener: () => void) => void
}

export class MemberLinks {
  private readonly linking = new Set<LinkingPath>()
  private readonly relayed = new Set<RelayedPath>()

  constructor (private readonly rt: PathRuntime, private readonly rendezvous: LinkRendezvous, private readonly putRecord: PutRecord, private readonly onLinked?: (handle: RelayedPathHandle) => void) {}

  get pendingCount (): number { return this.linking.size }
  get relayedCount (): number { return this.relayed.size }

  /** Starts linking an X-node's path after round 2; gives up after setupStateTtlMs. */
  expect (state: PathMemberState): void {
    const { settings } = this.rt
    if (this.linking.size >= settings.maxConcurrentSetups) {
      this.rt.log.debug('path state dropped: too many unlinked paths')
      return
    }
    const path: LinkingPath = {
      state,
      edges: state.neighbours.map(() => null),
      cancels: [],
      timer: setTimeout(() => { this.abandon(path, 'linking timed out') }, settings.setupStateTtlMs),
      deadline: this.rt.clock() + settings.setupStateTtlMs,
      finished: false
    }
    path.timer.unref()
    this.linking.add(path)
    state.neighbours.forEach((n, i) => { this.linkEdge(path, n, i) })
  }

  /** Tears down every relayed path and forgets linking ones (service stop). */
  closeAll (): void {
    for (const path of [...this.linking]) this.abandon(path, 'path service stopping')
    for (const path of [...this.relayed]) this.teardown(path)
  }

  private linkEdge (path: LinkingPath, neighbour: PathNeighbour, index: number): void {
    if (opensEdge(this.rt.selfPeerId, neighbour.peer.peerId)) {
      openEdge(this.rt, neighbour.peer, neighbour.linkId, this.rt.settings.roundTimeoutMs)
        .then((edge) => { this.edgeUp(path, index, edge) }, (err: Error) => { this.abandon(path, `link to a neighbour failed: ${err.message}`) })
    } else {
      path.cancels.push(this.rendezvous.claim(neighbour.linkId, neighbour.peer.peerId, (edge) => { this.edgeUp(path, index, edge) }))
    }
  }

  private edgeUp (path: LinkingPath, index: number, edge: EdgeStream): void {
    if (path.finished) { dropEdge(edge, 'path given up'); return }
    path.edges[index] = edge
    edge.stream.addEventListener('close', () => { this.abandon(path, 'link stream closed while linking') }, { once: true })
    if (path.edges.some((e) => e == null)) return
    const edges = path.edges as EdgeStream[]
    const run = path.state.terminating ? this.terminatingReady(path, edges[0]!) : this.relayReady(path, edges)
    run.catch((err: Error) => { this.abandon(path, `ready exchange failed: ${err.message}`) })
  }

  private remaining (path: LinkingPath): number {
    return Math.max(1, path.deadline - this.rt.clock())
  }

  /** A relay: forward the first ready block to the other edge, then the one coming back. */
  private async relayReady (path: LinkingPath, edges: EdgeStream[]): Promise<void> {
    const [a, b] = edges as [EdgeStream, EdgeStream]
    const [na, nb] = path.state.neighbours as [PathNeighbour, PathNeighbour]
    const layer = relayReadyLayer(path.state.keySeed, na.linkId, nb.linkId)
    const reads = [a, b].map(async (edge, from) => ({ from, block: await edge.reader.read(LINK_BLOCK_BYTES, this.remaining(path)) }))
    for (const r of reads) r.catch(() => {})
    const first = await Promise.race(reads)
    const inEdge = edges[first.from]!
    const outEdge = edges[1 - first.from]!
    inEdge.tap.recv(LINK_BLOCK_BYTES)
    await sendAll(outEdge.stream, xorBlocks(first.block, layer), this.remaining(path))
    outEdge.tap.send(LINK_BLOCK_BYTES)
    const second = await reads[1 - first.from]!
    outEdge.tap.recv(LINK_BLOCK_BYTES)
    // hand over before the last send: whatever follows it on either stream belongs to the tunnel layer
    this.linked(path, edges)
    await sendAll(inEdge.stream, xorBlocks(second.block, layer), this.remaining(path))
    inEdge.tap.send(LINK_BLOCK_BYTES)
  }

  /** The terminating node: send its ready block first or answer the owner's, as its package says. */
  private async terminatingReady (path: LinkingPath, edge: EdgeStream): Promise<void> {
    const { state } = path
    const linkId = state.neighbours[0]!.linkId
    const mine = terminalReady(state.keySeed, linkId)
    if (state.readyFirst) {
      await sendAll(edge.stream, mine, this.remaining(path))
      edge.tap.send(LINK_BLOCK_BYTES)
    }
    const block = await edge.reader.read(LINK_BLOCK_BYTES, this.remaining(path))
    edge.tap.recv(LINK_BLOCK_BYTES)
    if (!constantTimeEqual(block, ownerCheck(state.keySeed, linkId))) throw new Error('wrong ready block from the owner\'s side')
    this.linked(path, [edge])
    if (!state.readyFirst) {
      await sendAll(edge.stream, mine, this.remaining(path))
      edge.tap.send(LINK_BLOCK_BYTES)
    }
  }

  private abandon (path: LinkingPath, reason: string): void {
    if (path.finished) return
    path.finished = true
    clearTimeout(path.timer)
    this.linking.delete(path)
    for (const cancel of path.cancels.splice(0)) cancel()
    for (const edge of path.edges) if (edge != null) dropEdge(edge, 'link failed')
    this.rt.log.debug('relayed path not linked', { reason })
  }

  /** Linking done: the path becomes a relayed path and goes to the tunnel layer. */
  private linked (path: LinkingPath, edges: EdgeStream[]): void {
    if (path.finished) throw new Error('path given up')
    if (this.relayed.size >= this.rt.settings.maxRelayedPaths) throw new Error('too many relayed paths')
    path.finished = true
    clearTimeout(path.timer)
    this.linking.delete(path)
    for (const edge of edges) edge.reader.detach()
    const { state } = path
    const streams = edges.map((e) => e.stream)
    const relayed: RelayedPath = { streams, republish: undefined, terminating: state.terminating, closeListeners: [] }
    this.relayed.add(relayed)
    for (const s of streams) {
      s.addEventListener('close', () => { this.teardown(relayed) }, { once: true })
      if (s.status !== 'open') { this.teardown(relayed); return }
    }
    if (this.onLinked != null) {
      this.onLinked({
        state,
        edges: edges.map((e, i) => ({ neighbour: state.neighbours[i]!, stream: e.stream })),
        close: () => { this.teardown(relayed) },
        onClose: (listener) => { if (this.relayed.has(relayed)) relayed.closeListeners.push(listener); else listener() }
      })
    } else {
      // without a tunnel layer, any further byte on a link stream is a protocol violation
      for (const s of streams) s.addEventListener('message', () => { this.teardown(relayed) })
    }
    if (state.terminating && state.entry && state.apAddress != null && state.apRecord != null) this.publishWhileLive(relayed, state.apAddress, state.apRecord)
  }

  private teardown (path: RelayedPath): void {
    if (!this.relayed.delete(path)) return
    if (path.republish != null) clearTimeout(path.republish)
    for (const s of path.streams) resetQuietly(s, 'path torn down')
    for (const listener of path.closeListeners.splice(0)) {
      try { listener() } catch (err) { this.rt.log.warn('path close listener failed', { err }) }
    }
  }

  /**
   * The terminating node of an entry path publishes the AP record it was
   * handed, and republishes the same bytes every apRecordRepublishMs until the
   * record expires or the path goes. A record that does not decode, or whose
   * AP address differs from the one in the package, is never published.
   */
  private publishWhileLive (path: RelayedPath, apAddress: Buffer, apRecord: Buffer): void {
    let expiresAt: number
    try {
      const record = decodeApRecord(apRecord)
      if (!constantTimeEqual(record.ap, apAddress)) throw new Error('AP record for another address')
      expiresAt = record.expiresAt
    } catch (err) {
      this.rt.log.debug('AP record not published', { err })
      return
    }
    const key = apRecordKey(apAddress)
    const publish = (): void => {
      if (!this.relayed.has(path) || this.rt.clock() >= expiresAt) return
      this.putRecord(key, apRecord)
        .then((storedAt) => { this.rt.log.debug('AP record published', { storedAt }) })
        .catch((err: Error) => { this.rt.log.debug('AP record publication failed', { err }) })
        .finally(() => {
          if (!this.relayed.has(path)) return
          path.republish = setTimeout(publish, this.rt.settings.apRecordRepublishMs)
          path.republish.unref()
        })
    }
    publish()
  }
}
