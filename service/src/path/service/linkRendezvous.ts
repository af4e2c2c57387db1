/**
 * Where inbound /phantom/link streams meet the path that expects them. An
 * edge is opened by one end as soon as that end knows it (a relay right after
 * round 2), which may be before the other end processed its own round 2. So
 * a stream whose hello names a link ID nobody claimed yet is parked, bounded
 * in number and time, until its end claims it; a claimed one is delivered at
 * once. Either way it must come from the neighbour the claim names.
 *
 * Bounds: at most 2 parked streams per setup in which this node is an X-node
 * waiting for round 2 (an early link can belong to no other setup, and an
 * X-node has two edges), and never more than `path.maxConcurrentSetups`; at
 * most MAX_PARKED_PER_PEER of them from one peer; each for one round timeout.
 * So a peer cannot fill the room with made-up link IDs unless setups that
 * make this node an X-node are running through it.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { constantTimeEqual } from '../../crypto/index.js'
import { ExactReader } from '../network/exactReader.js'
import { decodeLinkHello, LINK_BLOCK_BYTES } from '../network/linkBlocks.js'
import { peerIdBytes } from '../network/peerAddressing.js'
import { resetQuietly } from '../network/streamSend.js'
import { dropEdge, LINK_READ_SLACK, type EdgeStream } from './pathEdge.js'
import type { PathRuntime } from './pathRuntime.js'
import { remotePeerOf, WireTap } from './wireTap.js'

/** Early links one remote peer may have parked at once. */
export const MAX_PARKED_PER_PEER = 4
/** Edges of one X-node: each may come early. */
export const PARKED_PER_AWAITING_SETUP = 2

interface Claim {
  peerId: Uint8Array
  deliver: (edge: EdgeStream) => void
}

interface Parked {
  edge: EdgeStream
  remote: Buffer
  timer: NodeJS.Timeout
}

export class LinkRendezvous {
  private readonly claims = new Map<string, Claim>()
  private readonly parked = new Map<string, Parked>()
  private readonly reading = new Set<Stream>()

  /** `xSetupsAwaitingRound2`: setups in which this node is an X-node that has not processed round 2 yet. */
  constructor (private readonly rt: PathRuntime, private readonly xSetupsAwaitingRound2: () => number) {}

  /** How many early links may be parked now. */
  get parkingRoom (): number {
    return Math.min(this.rt.settings.maxConcurrentSetups, PARKED_PER_AWAITING_SETUP * this.xSetupsAwaitingRound2())
  }

  get parkedCount (): number { return this.parked.size }

  private parkedFrom (remote: Buffer): number {
    let n = 0
    for (const p of this.parked.values()) if (p.remote.equals(remote)) n++
    return n
  }

  readonly handle = (stream: Stream, connection: Connection): void => {
    void this.accept(stream, connection).catch((err: Error) => {
      this.rt.log.debug('link refused', { err: err.message })
      resetQuietly(stream, 'link refused')
    })
  }

  /**
   * Waits for `peerId` to open the edge named `linkId`; a stream that came
   * early is delivered at once. Returns the function that withdraws the claim.
   */
  claim (linkId: Uint8Array, peerId: Uint8Array, deliver: (edge: EdgeStream) => void): () => void {
    const key = Buffer.from(linkId).toString('hex')
    const early = this.parked.get(key)
    if (early != null) {
      this.parked.delete(key)
      clearTimeout(early.timer)
      if (constantTimeEqual(early.remote, peerId)) {
        deliver(early.edge)
        return () => {}
      }
      dropEdge(early.edge, 'link from the wrong peer')
    }
    const claim: Claim = { peerId, deliver }
    this.claims.set(key, claim)
    return () => { if (this.claims.get(key) === claim) this.claims.delete(key) }
  }

  closeAll (): void {
    this.claims.clear()
    for (const p of this.parked.values()) { clearTimeout(p.timer); dropEdge(p.edge, 'path service stopping') }
    this.parked.clear()
    for (const s of this.reading) resetQuietly(s, 'path service stopping')
    this.reading.clear()
  }

  private async accept (stream: Stream, connection: Connection): Promise<void> {
    const { settings } = this.rt
    const tap = new WireTap(this.rt, 'link', 'inbound', remotePeerOf(connection))
    const reader = new ExactReader(stream, 2 * LINK_BLOCK_BYTES + LINK_READ_SLACK)
    this.reading.add(stream)
    let linkId: Buffer
    try {
      const hello = await reader.read(LINK_BLOCK_BYTES, settings.roundTimeoutMs)
      tap.recv(hello.byteLength)
      linkId = decodeLinkHello(hello)
    } catch (err) {
      reader.detach()
      throw err
    } finally {
      this.reading.delete(stream)
    }
    const edge: EdgeStream = { stream, reader, tap }
    const remote = peerIdBytes(connection.remotePeer)
    const key = linkId.toString('hex')
    const claim = this.claims.get(key)
    if (claim != null) {
      if (!constantTimeEqual(remote, claim.peerId)) { reader.detach(); throw new Error('link from the wrong peer') }
      this.claims.delete(key)
      claim.deliver(edge)
      return
    }
    if (this.parked.has(key) || this.parked.size >= this.parkingRoom || this.parkedFrom(remote) >= MAX_PARKED_PER_PEER) {
      reader.detach()
      throw new Error('no room to park an early link')
    }
    const timer = setTimeout(() => {
      if (this.parked.get(key)?.edge !== edge) return
      this.parked.delete(key)
      dropEdge(edge, 'nobody claimed the link')
    }, settings.roundTimeoutMs)
    timer.unref()
    this.parked.set(key, { edge, remote, timer })
  }
}
