/**
 * Tunnels over one path this node relays as an X-node (PROTOCOL.md §7). The
 * path's edges are sides 'a' and 'b', in the canonical order of the package
 * (the terminating node has only 'a'); nothing here knows which side is the
 * owner's:
 *
 * - as a relay (not terminating): every 64-byte block on one link stream is
 *   transformed with a random key of the path's set and sent on the other
 *   (TunnelHop.acceptFirstBlock); a tunnel stream from one neighbour is
 *   answered by a new tunnel stream to the other (TunnelHop.backwardStep),
 *   one more block each way is transformed, then the two streams are joined
 *   with this hop's data layers, named after the way the first block went;
 * - as the terminating node of an exit path: a probe from its neighbour is
 *   answered on a new tunnel stream (probe ‖ initialisation block), the
 *   owner's reply names the target, the target's AP record is fetched and
 *   one of its entry nodes is asked (/phantom/apconnect) to join; on success
 *   the confirmation block and the record go back and the tunnel is joined to
 *   the apconnect stream;
 * - as the terminating node of an entry path: an apconnect for the path's AP
 *   address starts an inbound tunnel (initialisation block toward the owner),
 *   the owner's tunnel stream brings it back with the reply, a dummy block
 *   goes each way, and the apconnect stream is accepted and joined.
 *
 * Whatever does not fit is dropped silently (stream reset, no message).
 */
import type { Stream } from '@libp2p/interface'
import { constantTimeEqual } from '../../crypto/index.js'
import { PHANTOM_APCONNECT_PROTOCOL } from '../../link/phantomProtocols.js'
import { dialTargets, peerIdBytes, peerIdOfBytes } from '../../path/network/peerAddressing.js'
import { resetQuietly, sendAll } from '../../path/network/streamSend.js'
import type { RelayedPathHandle } from '../../path/service/memberLinks.js'
import type { PeerRef } from '../../path/setup/peerRef.js'
import { BLOCK_BYTES } from '../tunnelConstants.js'
import { deriveTunnelKeySet } from '../keys/tunnelKeySet.js'
import { TunnelHop } from '../hop/tunnelHop.js'
import { TerminatingHop, type TerminalTunnel } from '../terminal/terminatingHop.js'
import type { HopTunnel } from '../hop/hopTunnel.js'
import { LinkBlockChannel } from '../network/linkBlockChannel.js'
import { encodeTunnelStreamHello, type TunnelStreamHello } from '../network/tunnelStreamHello.js'
import { encodeApConnectAccept, encodeApConnectRequest, isApConnectAccept, AP_CONNECT_BLOCK_BYTES } from '../network/apConnectBlocks.js'
import { encodeTargetRecordFrame } from '../network/targetRecordFrame.js'
import { TunnelPipe, type ChunkTransform } from '../network/tunnelPipe.js'
import { openTunnelStream, setupReader } from './streamSteps.js'
import type { ExactReader } from '../../path/network/exactReader.js'
import type { TunnelRuntime } from './tunnelRuntime.js'
import { composeTransforms, type ApConnectEnd, type LocalApConnect } from './localApConnect.js'

export type Side = 'a' | 'b'

function otherSide (side: Side): Side {
  return side === 'a' ? 'b' : 'a'
}

interface PendingInbound {
  apconnect: ApConnectEnd
  timer: NodeJS.Timeout
}

/** The target's side of an outbound tunnel at the exit node: an apconnect stream, or an inbound tunnel of this node's own entry path. */
type TargetSide =
  | { kind: 'stream', stream: Stream, reader: ExactReader, record: Buffer }
  | { kind: 'local', ownerStream: Stream, towardApConnect: ChunkTransform, fromApConnect: ChunkTransform, record: Buffer }

function abandon (end: ApConnectEnd, reason: string): void {
  if (end.kind === 'stream') resetQuietly(end.stream, reason)
  else end.local.fail(reason)
}

export class RelayedPathTunnels {
  readonly id: string
  private readonly hop: TunnelHop | null
  private readonly terminal: TerminatingHop | null
  private readonly channels = new Map<Side, LinkBlockChannel>()
  private readonly pendingInbound = new Map<string, PendingInbound>()
  private readonly pipes = new Set<TunnelPipe>()
  private closed = false

  constructor (private readonly rt: TunnelRuntime, readonly handle: RelayedPathHandle, serial: number) {
    this.id = `r${serial}`
    const { state } = handle
    const keys = deriveTunnelKeySet(state.keySeed, state.keyCount)
    const observer = rt.hooks.layerObserver?.(`relay ${this.id}`)
    const options = observer != null ? { observer } : {}
    this.hop = state.terminating ? null : new TunnelHop(keys, options)
    this.terminal = state.terminating ? new TerminatingHop(keys, options) : null
    handle.edges.forEach((edge, i) => {
      const side: Side = i === 0 ? 'a' : 'b'
      this.channels.set(side, new LinkBlockChannel(edge.stream, (b) => { this.onLinkBlock(side, b) }))
    })
  }

  get isEntryTerminating (): boolean {
    return this.handle.state.terminating && this.handle.state.entry
  }

  /** Link IDs by which neighbours name this path on tunnel streams. */
  linkIds (): Array<{ linkId: Buffer, side: Side, peer: PeerRef }> {
    return this.handle.edges.map((edge, i) => ({ linkId: edge.neighbour.linkId, side: i === 0 ? 'a' : 'b', peer: edge.neighbour.peer }))
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    for (const channel of this.channels.values()) channel.detach()
    for (const p of this.pendingInbound.values()) { clearTimeout(p.timer); abandon(p.apconnect, 'path closed') }
    this.pendingInbound.clear()
    // established tunnels outlive the path they were set up on (they have their own streams and keys)
  }

  private event (side: Side, channel: 'link' | 'tunnel', op: 'recv' | 'send' | 'open' | 'accept', bytes: number): void {
    const hook = this.rt.hooks.onRelayEvent
    if (hook != null) hook({ path: this.id, side, neighbour: peerIdOfBytes(this.edge(side).peer.peerId).toString(), channel, op, bytes })
  }

  private edge (side: Side): { peer: PeerRef, linkId: Buffer } {
    const edge = this.handle.edges[side === 'a' ? 0 : 1]
    if (edge == null) throw new Error('the terminating node has one neighbour')
    return edge.neighbour
  }

  private onLinkBlock (side: Side, block: Buffer): void {
    if (this.closed) return
    this.event(side, 'link', 'recv', block.byteLength)
    if (this.hop != null) {
      const out = this.hop.acceptFirstBlock(block)
      const other = otherSide(side)
      const channel = this.channels.get(other)
      if (out == null || channel == null) { this.rt.counters.droppedBlocks++; return }
      if (channel.send(out)) this.event(other, 'link', 'send', out.byteLength)
      return
    }
    // terminating node: only a probe from its neighbour makes sense
    if (side !== 'a' || this.terminal == null || this.handle.state.entry) { this.rt.counters.droppedBlocks++; return }
    void this.answerProbe(block).catch((err: Error) => {
      this.rt.counters.setupFailures++
      this.rt.log.debug('outbound tunnel failed at the exit node', { err: err.message })
    })
  }

  /** A tunnel stream arrived from `side` presenting this path's link ID. */
  acceptTunnelStream (side: Side, stream: Stream, reader: ExactReader, hello: TunnelStreamHello): void {
    this.event(side, 'tunnel', 'accept', hello.first.byteLength + hello.second.byteLength)
    const run = this.hop != null
      ? this.relayBackward(side, stream, reader, hello)
      : this.acceptOwnerInbound(side, stream, reader, hello)
    void run.catch((err: Error) => {
      this.rt.counters.setupFailures++
      reader.detach()
      resetQuietly(stream, 'tunnel setup failed')
      this.rt.log.debug('tunnel setup failed', { path: this.id, err: err.message })
    })
  }

  private tooManyTunnels (): boolean {
    return this.rt.live.count >= this.rt.settings.maxTunnels
  }

  private join (a: Stream, b: Stream, aToB: ChunkTransform, bToA: ChunkTransform, kind: 'relayed' | 'ended'): void {
    const tamper = this.rt.hooks.tamperRelayedChunk
    const wrap = (t: ChunkTransform): ChunkTransform => tamper == null
      ? t
      : { applyInPlace: (c) => { t.applyInPlace(c); tamper(Buffer.from(c.buffer, c.byteOffset, c.byteLength)) } }
    this.rt.live.count++
    this.rt.counters[kind]++
    const pipe = new TunnelPipe(a, b, wrap(aToB), wrap(bToA), {
      idleMs: this.rt.settings.idleMs,
      onClose: () => { this.rt.live.count--; this.pipes.delete(pipe) }
    })
    this.pipes.add(pipe)
  }

  /** Relay, step 4 (both kinds): answer the tunnel stream from one side with a new one to the other side. */
  private async relayBackward (side: Side, near: Stream, nearReader: ExactReader, hello: TunnelStreamHello): Promise<void> {
    const hop = this.hop as TunnelHop
    if (this.tooManyTunnels()) throw new Error('too many tunnels')
    const step = hop.backwardStep(hello.first, hello.second)
    if (step == null) throw new Error('no cached block for this tunnel stream')
    const other = otherSide(side)
    const timeoutMs = this.rt.settings.setupStepTimeoutMs
    const far = await openTunnelStream(this.rt.host, this.edge(other).peer, encodeTunnelStreamHello({ linkId: this.edge(other).linkId, first: step.firstOut, second: step.secondOut }), timeoutMs)
    this.event(other, 'tunnel', 'open', 2 * BLOCK_BYTES)
    const farReader = setupReader(far, BLOCK_BYTES)
    try {
      // block 3 travels the way the first block travelled (from the far side), block 4 back
      const third = await farReader.read(BLOCK_BYTES, timeoutMs)
      this.event(other, 'tunnel', 'recv', BLOCK_BYTES)
      await sendAll(near, step.tunnel.blockAlongSetup(third), timeoutMs)
      this.event(side, 'tunnel', 'send', BLOCK_BYTES)
      const fourth = await nearReader.read(BLOCK_BYTES, timeoutMs)
      this.event(side, 'tunnel', 'recv', BLOCK_BYTES)
      await sendAll(far, step.tunnel.blockAgainstSetup(fourth), timeoutMs)
      this.event(other, 'tunnel', 'send', BLOCK_BYTES)
    } catch (err) {
      farReader.detach()
      resetQuietly(far, 'tunnel setup failed')
      throw err
    }
    farReader.detach()
    nearReader.detach()
    // the first block came from the far side: data from there travels "along" it
    this.join(far, near, step.tunnel.along, step.tunnel.against, 'relayed')
  }

  /** Exit node, outbound steps 2–3 and 6: answer the probe, read the reply, connect to the target, confirm, join. */
  private async answerProbe (probe: Buffer): Promise<void> {
    const terminal = this.terminal as TerminatingHop
    if (this.tooManyTunnels()) throw new Error('too many tunnels')
    const answer = terminal.answerProbe(probe)
    if (answer == null) throw new Error('bad probe')
    const timeoutMs = this.rt.settings.setupStepTimeoutMs
    const stream = await openTunnelStream(this.rt.host, this.edge('a').peer, encodeTunnelStreamHello({ linkId: this.edge('a').linkId, first: answer.probeBack, second: answer.layeredInit }), timeoutMs)
    this.event('a', 'tunnel', 'open', 2 * BLOCK_BYTES)
    const reader = setupReader(stream, BLOCK_BYTES)
    let target: TargetSide | null = null
    try {
      const replyBlock = await reader.read(BLOCK_BYTES, timeoutMs)
      this.event('a', 'tunnel', 'recv', BLOCK_BYTES)
      const tunnel = terminal.readReply(answer.pending, replyBlock)
      if (tunnel == null || tunnel.reply.targetApAddress == null) throw new Error('reply does not check')
      target = await this.connectToTarget(tunnel.reply.targetApAddress)
      await sendAll(stream, terminal.confirmation(tunnel), timeoutMs)
      this.event('a', 'tunnel', 'send', BLOCK_BYTES)
      const outward = tunnel.hop.flowing('outbound', 'outward')
      const inward = tunnel.hop.flowing('outbound', 'inward')
      // the target's record goes first, inside this hop's inward layer, as tunnel data
      await sendAll(stream, inward.apply(encodeTargetRecordFrame(target.record)), timeoutMs)
      reader.detach()
      if (target.kind === 'stream') {
        target.reader.detach()
        this.join(stream, target.stream, outward, inward, 'ended')
      } else {
        // toward the target: this hop's outward layer, then the entry hop's layer from the apconnect side; back: the reverse
        this.join(stream, target.ownerStream,
          composeTransforms(outward, target.fromApConnect),
          composeTransforms(target.towardApConnect, inward), 'ended')
      }
    } catch (err) {
      reader.detach()
      resetQuietly(stream, 'tunnel setup failed')
      if (target != null) resetQuietly(target.kind === 'stream' ? target.stream : target.ownerStream, 'tunnel setup failed')
      throw err
    }
  }

  /**
   * Exit node: find the target's entry nodes and ask them in turn until one
   * joins. When this node is one of them (small networks, paths chosen
   * without diversity), its own entry path joins inside the node.
   */
  private async connectToTarget (ap: Buffer): Promise<TargetSide> {
    const timeoutMs = this.rt.settings.apConnectTimeoutMs
    const record = await this.rt.resolveApRecord(ap, AbortSignal.timeout(timeoutMs))
    if (record == null) throw new Error('no AP record for the target')
    const self = peerIdBytes(this.rt.host.peerId)
    for (const entry of record.entryNodes) {
      if (constantTimeEqual(entry.peerId, self)) {
        try {
          return { ...(await this.connectLocally(ap)), record: record.bytes }
        } catch (err) {
          this.rt.log.debug('own entry path did not join', { err: (err as Error).message })
          continue
        }
      }
      let stream: Stream | null = null
      try {
        const { addrs } = dialTargets({ peerId: Buffer.from(entry.peerId), multiaddrs: entry.multiaddrs.map((m) => Buffer.from(m)) })
        stream = await this.rt.host.dialProtocol(addrs, PHANTOM_APCONNECT_PROTOCOL, { signal: AbortSignal.timeout(timeoutMs), negotiateFully: false })
        await sendAll(stream, encodeApConnectRequest(ap), timeoutMs)
        const reader = setupReader(stream, AP_CONNECT_BLOCK_BYTES)
        const answer = await reader.read(AP_CONNECT_BLOCK_BYTES, timeoutMs).catch((err: Error) => { reader.detach(); throw err })
        if (!isApConnectAccept(answer)) { reader.detach(); throw new Error('apconnect answer malformed') }
        return { kind: 'stream', stream, reader, record: record.bytes }
      } catch (err) {
        if (stream != null) resetQuietly(stream, 'apconnect failed')
        this.rt.log.debug('entry node did not join', { entry: peerIdOfBytes(entry.peerId).toString(), err: (err as Error).message })
      }
    }
    throw new Error('no entry node of the target joined')
  }

  /** Exit node that is also an entry node of the target: the inbound tunnel of its own entry path, once the target's owner took it. */
  private async connectLocally (ap: Buffer): Promise<{ kind: 'local', ownerStream: Stream, towardApConnect: ChunkTransform, fromApConnect: ChunkTransform }> {
    return await new Promise((resolve, reject) => {
      const local: LocalApConnect = {
        accept: (ownerStream, towardApConnect, fromApConnect) => { resolve({ kind: 'local', ownerStream, towardApConnect, fromApConnect }) },
        fail: (reason) => { reject(new Error(reason)) }
      }
      if (this.rt.localApConnect?.(ap, local) !== true) reject(new Error('no entry path for this AP address here'))
    })
  }

  /** Entry node: an apconnect for this path's AP address arrived; start the inbound tunnel toward the owner. */
  startInbound (apconnect: ApConnectEnd): boolean {
    const terminal = this.terminal
    const { state } = this.handle
    if (this.closed || terminal == null || !state.entry || state.apAddress == null) return false
    if (this.tooManyTunnels() || this.pendingInbound.size >= this.rt.settings.maxPendingSearches) return false
    const block = terminal.startInbound(state.apAddress)
    if (block == null) return false
    const key = block.toString('hex')
    const timer = setTimeout(() => {
      this.pendingInbound.delete(key)
      abandon(apconnect, 'inbound tunnel timed out')
    }, this.rt.settings.apConnectTimeoutMs)
    timer.unref()
    this.pendingInbound.set(key, { apconnect, timer })
    if (this.channels.get('a')?.send(block) !== true) {
      clearTimeout(timer)
      this.pendingInbound.delete(key)
      return false
    }
    this.event('a', 'link', 'send', BLOCK_BYTES)
    return true
  }

  /** Entry node, inbound steps: the owner's tunnel stream brings the cached block and its reply. */
  private async acceptOwnerInbound (side: Side, stream: Stream, reader: ExactReader, hello: TunnelStreamHello): Promise<void> {
    const terminal = this.terminal as TerminatingHop
    if (side !== 'a') throw new Error('terminating node: tunnel stream from the wrong side')
    const key = hello.first.toString('hex')
    const pending = this.pendingInbound.get(key)
    if (pending == null) throw new Error('no pending inbound tunnel for this block')
    this.pendingInbound.delete(key)
    clearTimeout(pending.timer)
    const { apconnect } = pending
    try {
      const tunnel: TerminalTunnel | null = terminal.acceptOwnerBlocks(hello.first, hello.second)
      if (tunnel == null || (tunnel.reply.flags & 0x01) !== 0) throw new Error('owner refused or reply does not check')
      const timeoutMs = this.rt.settings.setupStepTimeoutMs
      await sendAll(stream, terminal.inboundDummy(), timeoutMs)
      this.event('a', 'tunnel', 'send', BLOCK_BYTES)
      const dummy = await reader.read(BLOCK_BYTES, timeoutMs)
      this.event('a', 'tunnel', 'recv', BLOCK_BYTES)
      if (!terminal.acceptOwnerDummy(dummy)) throw new Error('bad dummy')
      const hop: HopTunnel = tunnel.hop
      const outward = hop.flowing('inbound', 'outward')
      const inward = hop.flowing('inbound', 'inward')
      if (apconnect.kind === 'local') {
        reader.detach()
        // the exit side of this node joins the two tunnels (connectLocally)
        apconnect.local.accept(stream, outward, inward)
        return
      }
      await sendAll(apconnect.stream, encodeApConnectAccept(), timeoutMs)
      reader.detach()
      this.join(stream, apconnect.stream, outward, inward, 'ended')
    } catch (err) {
      abandon(apconnect, 'inbound tunnel failed')
      throw err
    }
  }

  /** The AP address this entry path serves (terminating entry node only). */
  servesAp (ap: Buffer): boolean {
    const served = this.handle.state.apAddress
    return this.isEntryTerminating && served != null && constantTimeEqual(served, ap)
  }
}
