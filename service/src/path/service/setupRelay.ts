/**
 * Inbound /phantom/setup/1.0.0 streams (PROTOCOL.md §5, §6). A stream carries
 * exactly two fixed-size messages (round 1, then round 2) and nothing else.
 *
 * - A stream presenting the link ID a pending build of this node expects is
 *   the returning array of that build (this node is the owner).
 * - Otherwise this node is a ring member: round 1 → processRound1 → dial the
 *   successor named in the package and send; then wait for exactly one
 *   round-2 message on the same inbound stream → processRound2 → forward it
 *   on the same outbound stream; X-nodes hand their path state to the link
 *   layer, Y-nodes forget everything; both streams are closed.
 *
 * Any failure drops silently: the inbound stream is reset, nothing else is
 * sent. A failing outbound stream never changes what happens on the inbound
 * one, so no error travels back toward the owner.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { PHANTOM_SETUP_PROTOCOL } from '../../link/phantomProtocols.js'
import { processRound1 } from '../member/processRound1.js'
import { processRound2 } from '../member/processRound2.js'
import type { Round1State } from '../member/memberState.js'
import { ExactReader } from '../network/exactReader.js'
import { connectedOn, dialTarget, peerIdBytes, peerIdOfBytes } from '../network/peerAddressing.js'
import { closeQuietly, resetQuietly, sendAll } from '../network/streamSend.js'
import { SETUP_MESSAGE_BYTES } from '../setup/constants.js'
import type { PeerRef } from '../setup/peerRef.js'
import { decodeSetupMessage, encodeSetupMessage } from '../setup/setupMessage.js'
import type { MemberLinks } from './memberLinks.js'
import type { OwnerReturns } from './ownerReturns.js'
import { memberIdentity, type PathRuntime } from './pathRuntime.js'
import { remotePeerOf, WireTap } from './wireTap.js'

/** A setup stream delivers exactly two messages over its life. */
export const SETUP_STREAM_BUDGET = 2 * SETUP_MESSAGE_BYTES
const CLOSE_TIMEOUT_MS = 5000

function peerText (ref: PeerRef | null): string {
  if (ref == null) return 'none'
  try { return peerIdOfBytes(ref.peerId).toString() } catch { return 'invalid' }
}

class SetupDrop extends Error {}

interface Outbound {
  stream: Stream
  tap: WireTap
}

export class SetupRelay {
  private active = 0
  private awaitingRound2AsX = 0
  private reading = 0
  private readonly perSender = new Map<string, number>()
  private stopped = false
  private readonly lingering = new Set<() => void>()
  private readonly streams = new Set<Stream>()

  constructor (private readonly rt: PathRuntime, private readonly ownerReturns: OwnerReturns, private readonly links: MemberLinks) {}

  /** Inbound setup streams still waiting for their first message. */
  get waitingStreams (): number {
    return this.reading
  }

  /** Setups this node currently takes part in as a member. */
  get activeSetups (): number {
    return this.active
  }

  /**
   * Setups in which this node is an X-node and has not processed round 2 yet:
   * the only setups a neighbour's early link can belong to (round 2 starts
   * only after round 1 went all around the ring).
   */
  get xSetupsAwaitingRound2 (): number {
    return this.awaitingRound2AsX
  }

  readonly handle = (stream: Stream, connection: Connection): void => {
    void this.run(stream, connection).catch((err: Error) => {
      this.rt.log.debug('setup stream failed', { err })
      resetQuietly(stream, 'setup failed')
    })
  }

  /** Accepts setups again after closeAll (service restart). */
  resume (): void {
    this.stopped = false
  }

  /** Resets every stream still open (service stop). */
  closeAll (): void {
    this.stopped = true
    for (const done of this.lingering) done()
    this.lingering.clear()
    for (const s of this.streams) resetQuietly(s, 'path service stopping')
    this.streams.clear()
  }

  private track (stream: Stream): void {
    this.streams.add(stream)
    stream.addEventListener('close', () => { this.streams.delete(stream) }, { once: true })
  }

  private async run (inbound: Stream, connection: Connection): Promise<void> {
    const { settings, log } = this.rt
    // Streams still waiting for their first message are bounded too, so a
    // flood of streams never buffers more than (reading + active) × 2 messages.
    if (this.reading >= settings.maxConcurrentSetups) {
      resetQuietly(inbound, 'too many setup streams')
      return
    }
    this.track(inbound)
    const senderPeerId = peerIdBytes(connection.remotePeer)
    const sender = remotePeerOf(connection)
    const tapIn = new WireTap(this.rt, 'setup', 'inbound', sender)
    const reader = new ExactReader(inbound, SETUP_STREAM_BUDGET)
    let first: Buffer
    this.reading++
    try {
      first = await reader.read(SETUP_MESSAGE_BYTES, settings.roundTimeoutMs)
    } catch (err) {
      reader.detach()
      throw err
    } finally {
      this.reading--
    }
    tapIn.recv(first.byteLength)
    const message = decodeSetupMessage(first)
    if (this.ownerReturns.claim({ stream: inbound, reader, tap: tapIn, senderPeerId, message })) return

    const fromSender = this.perSender.get(sender) ?? 0
    if (this.active >= settings.maxConcurrentSetups || fromSender >= settings.maxSetupsPerPeer) {
      log.debug('setup dropped: overloaded', { active: this.active, fromSender })
      reader.detach()
      resetQuietly(inbound, 'overloaded')
      return
    }
    this.active++
    this.perSender.set(sender, fromSender + 1)
    const deadline = this.rt.clock() + settings.setupStateTtlMs
    let outbound: Outbound | null = null
    let forwarded = false
    let countedAsX = false
    const round2Done = (): void => {
      if (countedAsX) this.awaitingRound2AsX--
      countedAsX = false
    }
    try {
      const r1 = processRound1({ arrayBytes: message.arrayBytes, linkIdFromSender: message.linkId, senderPeerId }, memberIdentity(this.rt))
      if (r1.decision === 'drop') throw new SetupDrop(`round 1 dropped: ${r1.reason}`)
      if (r1.state.role === 'X') {
        countedAsX = true
        this.awaitingRound2AsX++
      }
      this.rt.hooks.onMemberState?.({ round: 1, role: r1.state.role, neighbours: [peerText({ peerId: r1.state.ringPrevPeerId, multiaddrs: [] }), peerText(r1.state.ringNext)], terminating: false })
      forwarded = true
      outbound = await this.forward(1, r1.state.ringNext, r1.linkOut, r1.outArray, null)

      const second = await reader.read(SETUP_MESSAGE_BYTES, Math.max(1, deadline - this.rt.clock()))
      tapIn.recv(second.byteLength)
      const message2 = decodeSetupMessage(second)
      const round1: Round1State = r1.state
      const r2 = processRound2({ arrayBytes: message2.arrayBytes, linkIdFromSender: message2.linkId, senderPeerId }, memberIdentity(this.rt), round1)
      if (r2.decision === 'drop') throw new SetupDrop(`round 2 dropped: ${r2.reason}`)
      if (r2.state != null) {
        this.rt.hooks.onMemberState?.({ round: 2, role: 'X', neighbours: r2.state.neighbours.map((n) => peerText(n.peer)), terminating: r2.state.terminating })
      } else {
        this.rt.hooks.onMemberState?.({ round: 2, role: 'Y', neighbours: [], terminating: false })
      }
      // an X-node starts linking its edges at once (a neighbour's link may even have come already)
      if (r2.state != null) this.links.expect(r2.state)
      round2Done()
      await this.forward(2, r2.next, r2.linkOut, r2.outArray, outbound)
      closeQuietly(inbound, CLOSE_TIMEOUT_MS)
      if (outbound != null) closeQuietly(outbound.stream, CLOSE_TIMEOUT_MS)
    } catch (err) {
      // a dropped setup no longer waits for its round 2 (and so gives up its parking room), even while it lingers
      round2Done()
      log.debug(err instanceof SetupDrop ? `setup ${err.message}` : 'setup failed', { err })
      // Before anything was forwarded only the sender learns of the drop (a
      // reset). Afterwards the streams stay as they are until the setup's TTL,
      // so that no failure, wherever it happened, travels around the ring to
      // the owner faster than a timeout.
      if (forwarded) await this.linger(deadline)
      resetQuietly(inbound, 'setup dropped')
      if (outbound != null) resetQuietly(outbound.stream, 'setup dropped')
    } finally {
      round2Done()
      reader.detach()
      this.active--
      const left = (this.perSender.get(sender) ?? 1) - 1
      if (left <= 0) this.perSender.delete(sender)
      else this.perSender.set(sender, left)
    }
  }

  private async linger (deadline: number): Promise<void> {
    const ms = deadline - this.rt.clock()
    if (ms <= 0 || this.stopped) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.lingering.delete(done); resolve() }, ms)
      timer.unref()
      const done = (): void => { clearTimeout(timer); resolve() }
      this.lingering.add(done)
    })
  }

  /**
   * Sends one round's array to the ring successor: round 1 opens the stream,
   * round 2 reuses it. Returns the outbound stream (null if a test hook took
   * over delivery). A dial or send failure leaves the inbound stream alone.
   */
  private async forward (round: 1 | 2, next: PeerRef, linkOut: Buffer, outArray: Buffer, existing: Outbound | null): Promise<Outbound | null> {
    let linkId = linkOut
    let arrayBytes = outArray
    const intercept = this.rt.hooks.interceptForward
    if (intercept != null) {
      const decision = await intercept({ round, next, linkOut, outArray })
      if (decision.action === 'drop' || decision.action === 'handled') return existing
      linkId = decision.linkId
      arrayBytes = decision.arrayBytes
    }
    const bytes = encodeSetupMessage(linkId, arrayBytes)
    let out = existing
    try {
      if (out == null) {
        if (round === 2) return null
        const { target } = dialTarget(next, connectedOn(this.rt.host))
        if (Array.isArray(target) && target.length === 0) throw new Error('successor has no usable address')
        const stream = await this.rt.host.dialProtocol(target, PHANTOM_SETUP_PROTOCOL, { signal: AbortSignal.timeout(this.rt.settings.roundTimeoutMs), negotiateFully: false })
        this.track(stream)
        // the successor never sends anything back on a setup stream
        const guard = new ExactReader(stream, 0)
        stream.addEventListener('close', () => { guard.detach() }, { once: true })
        out = { stream, tap: new WireTap(this.rt, 'setup', 'outbound', peerIdOfBytes(next.peerId).toString()) }
      }
      await sendAll(out.stream, bytes, this.rt.settings.roundTimeoutMs)
      out.tap.send(bytes.byteLength)
    } catch (err) {
      this.rt.log.debug('setup forward failed', { round, err })
      if (out != null) resetQuietly(out.stream, 'forward failed')
    }
    return out
  }
}
