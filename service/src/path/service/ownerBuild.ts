/**
 * One build attempt by the owner over the network (PROTOCOL.md §6): plan both
 * rounds, send round 1 to the first ring member, accept the returning array
 * only as predicted (from the last member, over the expected link, on a new
 * inbound setup stream), the same for round 2 on the same two streams, then
 * the edge to X1 and the ready exchange. Any deviation or timeout fails the
 * attempt; the caller rebuilds with other nodes, never the same ring.
 *
 * The edge to X1 follows the rule of every edge: the end with the smaller
 * PeerId opens it. When that is the owner, it opens the edge at the ring end
 * nearer to X1 — as it sends round 2 if X1 comes before X2 in ring order,
 * after round 2 came back otherwise — so that for X1, as for every relay, one
 * edge comes from a neighbour that processed round 2 before it and the other
 * from one that did so after it, whatever the orientation.
 *
 * An owner without a dialable address (behind NAT, or listening nowhere)
 * names itself in the packages without addresses and, before round 1,
 * connects to the two members that would otherwise dial it: the last ring
 * member, which opens the returning setup stream, and X1, which opens the
 * edge when its PeerId is the smaller. They open their streams over these
 * connections (PROTOCOL.md §6, round 1).
 */
import type { Stream } from '@libp2p/interface'
import { constantTimeEqual } from '../../crypto/index.js'
import { PHANTOM_SETUP_PROTOCOL } from '../../link/phantomProtocols.js'
import { ExactReader } from '../network/exactReader.js'
import { expectedReadyBlock, LINK_BLOCK_BYTES, ownerReadyBlock } from '../network/linkBlocks.js'
import { dialTargets, peerIdOfBytes } from '../network/peerAddressing.js'
import { closeQuietly, resetQuietly, sendAll } from '../network/streamSend.js'
import { buildPathSetup, type PathSetupRequest } from '../owner/buildPathSetup.js'
import { checkReturnedArray } from '../owner/checkReturnedArray.js'
import type { PathHop, PathSetupPlan, RoundPlan } from '../owner/pathSetupPlan.js'
import { SETUP_MESSAGE_BYTES } from '../setup/constants.js'
import { encodeSetupMessage } from '../setup/setupMessage.js'
import type { PeerRef } from '../setup/peerRef.js'
import type { LinkRendezvous } from './linkRendezvous.js'
import type { OwnerReturns, ReturnedStream } from './ownerReturns.js'
import { dropEdge, openEdge, opensEdge, type EdgeStream } from './pathEdge.js'
import type { PathRuntime } from './pathRuntime.js'
import { WireTap } from './wireTap.js'

export type BuildStage = 'sample' | 'plan' | 'round1' | 'round2' | 'link'

export class PathBuildError extends Error {
  override name = 'PathBuildError'
  constructor (readonly stage: BuildStage, message: string) {
    super(`${stage}: ${message}`)
  }
}

/** How a build fails when the round-1 array never returns to the owner. */
export const ROUND1_SILENCE = 'no array came back'

export interface BuildTimings {
  sampleMs: number
  planMs: number
  round1Ms: number
  round2Ms: number
  linkMs: number
  totalMs: number
}

export function emptyTimings (): BuildTimings {
  return { sampleMs: 0, planMs: 0, round1Ms: 0, round2Ms: 0, linkMs: 0, totalMs: 0 }
}

/** The owner's end of a ready path: the link stream of its edge to X1 (kept open for tunnel control). */
export interface OwnedLink {
  stream: Stream
  reader: ExactReader
  /** The path's X-nodes X1 … Xn with their link IDs and tunnel key seeds (the tunnel layer derives their key sets). */
  hops: PathHop[]
}

export async function runOwnerBuild (rt: PathRuntime, returns: OwnerReturns, rendezvous: LinkRendezvous, request: PathSetupRequest, timings: BuildTimings): Promise<OwnedLink> {
  const { settings } = rt
  let mark = rt.clock()
  const lap = (): number => { const now = rt.clock(); const d = now - mark; mark = now; return d }

  let plan: PathSetupPlan
  try {
    plan = buildPathSetup(request)
  } catch (err) {
    throw new PathBuildError('plan', (err as Error).message)
  }
  // the per-member predictions are for tests; production keeps only what must come back
  plan.round1.arrivals = []
  plan.round2.arrivals = []
  timings.planMs = lap()

  let returned: ReturnedStream | null = null
  let outbound: Stream | null = null
  let waitReturn: Promise<ReturnedStream> | null = null
  let cancelReturn = (): void => {}
  let cancelEdgeClaim = (): void => {}
  let edgePromise: Promise<EdgeStream> | null = null
  let edge: EdgeStream | null = null
  const fail = (stage: BuildStage) => (err: unknown): never => {
    if (err instanceof PathBuildError) throw err
    throw new PathBuildError(stage, (err as Error).message)
  }

  try {
    if (request.owner.multiaddrs.length === 0) {
      // (counted in round 1's time)
      await connectFirst(rt, [request.ring.members[request.ring.members.length - 1]!.peer, plan.hops[0]!.peer], settings.roundTimeoutMs).catch(fail('round1'))
    }
    // round 1: open the setup stream to the first member, the array returns on a new inbound stream
    waitReturn = new Promise<ReturnedStream>((resolve) => { cancelReturn = returns.expect(plan.round1.expectedReturn.linkId, resolve) })
    const first = dialTargets(plan.round1.first)
    outbound = await rt.host.dialProtocol(first.addrs, PHANTOM_SETUP_PROTOCOL, { signal: AbortSignal.timeout(settings.roundTimeoutMs), negotiateFully: false }).catch(fail('round1'))
    const outStream = outbound
    const guard = new ExactReader(outStream, 0)
    const outClosed = new Promise<never>((_resolve, reject) => {
      outStream.addEventListener('close', () => { guard.detach(); reject(new PathBuildError('round1', 'first member closed the setup stream')) }, { once: true })
    })
    outClosed.catch(() => {})
    const tapOut = new WireTap(rt, 'setup', 'outbound', first.peerId.toString())
    await send(outStream, tapOut, plan.round1, settings.roundTimeoutMs).catch(fail('round1'))
    returned = await withTimeout(Promise.race([waitReturn, outClosed]), settings.roundTimeoutMs, 'round1', ROUND1_SILENCE)
    if (!checkReturnedArray(plan.round1, { senderPeerId: returned.senderPeerId, linkId: returned.message.linkId, arrayBytes: returned.message.arrayBytes })) {
      throw new PathBuildError('round1', 'returned array differs from the prediction')
    }
    timings.round1Ms = lap()

    // the edge to X1: claimed, or opened now or once round 2 is back (see the header)
    const x1 = plan.hops[0]!
    const ownerOpens = opensEdge(rt.selfPeerId, x1.peer.peerId)
    const openEarly = plan.hops.length > 1 && x1.ringIndex < plan.hops[1]!.ringIndex
    const startEdge = (): Promise<EdgeStream> => {
      const x1Ref = { peerId: x1.peer.peerId, multiaddrs: x1.peer.multiaddrs }
      return openEdge(rt, x1Ref, x1.linkIn, settings.roundTimeoutMs)
    }
    if (!ownerOpens) {
      edgePromise = new Promise<EdgeStream>((resolve) => { cancelEdgeClaim = rendezvous.claim(x1.linkIn, x1.peer.peerId, resolve) })
    } else if (openEarly) {
      edgePromise = startEdge()
    }
    edgePromise?.catch(() => {})

    // round 2: same two streams
    await send(outStream, tapOut, plan.round2, settings.roundTimeoutMs).catch(fail('round2'))
    // (the first member closes its end once it forwarded round 2, so only the returning stream counts now)
    const bytes = await returned.reader.read(SETUP_MESSAGE_BYTES, settings.roundTimeoutMs).catch(fail('round2'))
    returned.tap.recv(bytes.byteLength)
    const linkId = bytes.subarray(0, plan.round2.linkId.byteLength)
    const arrayBytes = bytes.subarray(plan.round2.linkId.byteLength)
    if (!checkReturnedArray(plan.round2, { senderPeerId: returned.senderPeerId, linkId, arrayBytes })) {
      throw new PathBuildError('round2', 'returned array differs from the prediction')
    }
    returned.reader.detach()
    guard.detach()
    closeQuietly(outStream, 5000)
    closeQuietly(returned.stream, 5000)
    timings.round2Ms = lap()

    // linking: the edge to X1, then one ready block each way (who starts is in the plan)
    edgePromise ??= startEdge()
    edge = await withTimeout(edgePromise, settings.roundTimeoutMs, 'link', 'no link with X1').catch(fail('link'))
    const linked = edge
    const mine = ownerReadyBlock(plan.hops)
    const sendMine = async (): Promise<void> => {
      await sendAll(linked.stream, mine, settings.roundTimeoutMs).catch(fail('link'))
      linked.tap.send(mine.byteLength)
    }
    if (plan.readyFirst === 'owner') await sendMine()
    const ready = await linked.reader.read(LINK_BLOCK_BYTES, settings.roundTimeoutMs).catch(fail('link'))
    linked.tap.recv(ready.byteLength)
    if (!constantTimeEqual(ready, expectedReadyBlock(plan.hops))) throw new PathBuildError('link', 'wrong ready block')
    if (plan.readyFirst === 'terminating') await sendMine()
    timings.linkMs = lap()
    return { stream: linked.stream, reader: linked.reader, hops: plan.hops }
  } catch (err) {
    if (outbound != null) resetQuietly(outbound, 'build failed')
    if (returned != null) { returned.reader.detach(); resetQuietly(returned.stream, 'build failed') }
    if (edge != null) dropEdge(edge, 'build failed')
    else void edgePromise?.then((e) => { dropEdge(e, 'build failed') }, () => {})
    if (err instanceof PathBuildError) throw err
    throw new PathBuildError('round1', (err as Error).message)
  } finally {
    cancelReturn()
    cancelEdgeClaim()
    // a late returning stream for a failed build is reset
    if (returned == null && waitReturn != null) void waitReturn.then((r) => { r.reader.detach(); resetQuietly(r.stream, 'build failed') })
  }
}

async function send (stream: Stream, tap: WireTap, round: RoundPlan, timeoutMs: number): Promise<void> {
  const bytes = encodeSetupMessage(round.linkId, round.arrayBytes)
  await sendAll(stream, bytes, timeoutMs)
  tap.send(bytes.byteLength)
}

async function withTimeout<T> (promise: Promise<T>, ms: number, stage: BuildStage, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new PathBuildError(stage, `${what} within ${ms} ms`)) }, ms); timer.unref() })])
  } finally {
    if (timer != null) clearTimeout(timer)
  }
}

/**
 * Connects to each of `peers` (a connection libp2p already has is kept), so
 * that they can open streams to an owner they could not dial.
 */
async function connectFirst (rt: PathRuntime, peers: PeerRef[], timeoutMs: number): Promise<void> {
  const distinct = new Map(peers.map((p) => [Buffer.from(p.peerId).toString('hex'), p]))
  await Promise.all([...distinct.values()].map(async (peer) => {
    const { addrs } = dialTargets(peer)
    if (addrs.length === 0) throw new Error(`ring member ${peerIdOfBytes(peer.peerId).toString()} has no usable address`)
    await rt.host.dial(addrs, { signal: AbortSignal.timeout(timeoutMs) })
  }))
}
