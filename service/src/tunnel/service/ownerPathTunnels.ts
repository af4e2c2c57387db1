/**
 * Tunnels at the owner of one ready path (PROTOCOL.md §7):
 *
 * - exit path: `openOutbound` sends a probe on the link to X1; the tunnel
 *   stream that X1 opens back brings the probe (which request) and the
 *   layered initialisation block; the key search (worker thread) finds every
 *   hop's key; the layered reply goes out, the layered confirmation comes back
 *   and is checked, then the target's AP record arrives as the first data;
 * - entry path: a block from X1 on the link is an inbound request; the key
 *   search must find an inbound initialisation block naming this owner's AP
 *   address; the owner opens the tunnel stream to X1 with the block and its
 *   reply, a dummy block goes each way, and the tunnel is handed to the
 *   session layer as an inbound one.
 */
import type { Stream } from '@libp2p/interface'
import { resetQuietly, sendAll } from '../../path/network/streamSend.js'
import type { OwnedPathHandle } from '../../path/service/pathService.js'
import type { ExactReader } from '../../path/network/exactReader.js'
import { deriveTunnelKeySet, type TunnelKeySet } from '../keys/tunnelKeySet.js'
import { LinkBlockChannel } from '../network/linkBlockChannel.js'
import { encodeTunnelStreamHello, type TunnelStreamHello } from '../network/tunnelStreamHello.js'
import { answerInboundDummy, answerInboundTunnel } from '../owner/ownerInbound.js'
import { completeOutboundTunnel, startOutboundTunnel, type OutboundRequest } from '../owner/ownerOutbound.js'
import type { OwnerTunnel } from '../owner/ownerTunnel.js'
import { BLOCK_BYTES } from '../tunnelConstants.js'
import { OwnerTunnelDuplex } from './ownerTunnelDuplex.js'
import { openTunnelStream, setupReader } from './streamSteps.js'
import type { TunnelRuntime } from './tunnelRuntime.js'

interface PendingOutbound {
  request: OutboundRequest
  target: Buffer
  resolve: (duplex: OwnerTunnelDuplex) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export class TunnelRequestError extends Error {
  override name = 'TunnelRequestError'
}

export class OwnerPathTunnels {
  private readonly hopKeys: TunnelKeySet[]
  private readonly channel: LinkBlockChannel
  private readonly pending = new Map<string, PendingOutbound>()
  private searches = 0
  private closed = false

  constructor (
    private readonly rt: TunnelRuntime,
    readonly handle: OwnedPathHandle,
    private readonly ownApAddresses: () => Buffer[],
    private readonly onInbound: (duplex: OwnerTunnelDuplex) => void
  ) {
    this.hopKeys = handle.hops.map((h) => deriveTunnelKeySet(h.keySeed, h.keyCount))
    this.channel = new LinkBlockChannel(handle.stream, (b) => { this.onLinkBlock(b) })
  }

  get id (): string {
    return this.handle.id
  }

  get kind (): 'exit' | 'entry' {
    return this.handle.kind
  }

  /** The link ID X1 presents on tunnel streams it opens to the owner. */
  get firstLinkId (): Buffer {
    return this.handle.hops[0]!.linkIn
  }

  get firstHopPeerId (): Uint8Array {
    return this.handle.hops[0]!.peer.peerId
  }

  get isClosed (): boolean {
    return this.closed
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.channel.detach()
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(new TunnelRequestError('path closed')) }
    this.pending.clear()
  }

  private observer (i: number): ReturnType<NonNullable<TunnelRuntime['hooks']['layerObserver']>> {
    return this.rt.hooks.layerObserver?.(`owner ${this.id} hop ${i + 1}`)
  }

  /** Outbound step 1: a probe toward the terminating node; resolves with the tunnel once confirmed. */
  async openOutbound (target: Buffer, signal?: AbortSignal): Promise<OwnerTunnelDuplex> {
    if (this.closed || this.kind !== 'exit') throw new TunnelRequestError('not a ready exit path')
    const request = startOutboundTunnel()
    const key = request.probe.toString('hex')
    return await new Promise<OwnerTunnelDuplex>((resolve, reject) => {
      const fail = (err: Error): void => {
        if (!this.pending.delete(key)) return
        clearTimeout(timer)
        reject(err)
      }
      const timer = setTimeout(() => { fail(new TunnelRequestError(`no tunnel within ${this.rt.settings.requestTimeoutMs} ms`)) }, this.rt.settings.requestTimeoutMs)
      timer.unref()
      signal?.addEventListener('abort', () => { fail(new TunnelRequestError('cancelled')) }, { once: true })
      this.pending.set(key, { request, target, resolve, reject, timer })
      if (!this.channel.send(request.probe)) fail(new TunnelRequestError('link to X1 not writable'))
    })
  }

  /** X1 opened a tunnel stream presenting this path's link ID. */
  acceptTunnelStream (stream: Stream, reader: ExactReader, hello: TunnelStreamHello): void {
    const key = hello.first.toString('hex')
    const pending = this.pending.get(key)
    if (pending == null || this.kind !== 'exit') {
      reader.detach()
      resetQuietly(stream, 'unexpected tunnel stream')
      return
    }
    this.pending.delete(key)
    clearTimeout(pending.timer)
    this.completeOutbound(pending, stream, reader, hello.second).then(pending.resolve, (err: Error) => {
      this.rt.counters.setupFailures++
      reader.detach()
      resetQuietly(stream, 'tunnel setup failed')
      pending.reject(err)
    })
  }

  private async completeOutbound (pending: PendingOutbound, stream: Stream, reader: ExactReader, layeredInit: Buffer): Promise<OwnerTunnelDuplex> {
    const found = await this.rt.searcher.search(layeredInit, this.hopKeys, { kind: 'outbound' })
    if (found.keyIndices == null) throw new TunnelRequestError('key search found no combination')
    const { replyOut, tunnel } = completeOutboundTunnel({
      request: pending.request,
      hopKeys: this.hopKeys,
      keyIndices: found.keyIndices,
      layeredInit,
      reply: { targetApAddress: pending.target, portClass: 0, flags: 0 },
      observer: (i) => this.observer(i)
    })
    const timeoutMs = this.rt.settings.setupStepTimeoutMs
    await sendAll(stream, replyOut, timeoutMs)
    const confirmation = await reader.read(BLOCK_BYTES, timeoutMs)
    if (!tunnel.checkConfirmation(confirmation)) throw new TunnelRequestError('confirmation does not check')
    return this.established(stream, reader, tunnel, true, 'ownedOutbound')
  }

  private established (stream: Stream, reader: ExactReader, tunnel: OwnerTunnel, expectTargetRecord: boolean, counter: 'ownedOutbound' | 'ownedInbound'): OwnerTunnelDuplex {
    // the reader goes first: bytes it read ahead return to the stream and reach the duplex, once
    reader.detach()
    const duplex = new OwnerTunnelDuplex(stream, tunnel, { expectTargetRecord, idleMs: this.rt.settings.idleMs })
    this.rt.counters[counter]++
    this.rt.live.count++
    stream.addEventListener('close', () => { this.rt.live.count-- }, { once: true })
    return duplex
  }

  private onLinkBlock (block: Buffer): void {
    if (this.closed) return
    if (this.kind !== 'entry' || this.searches >= this.rt.settings.maxPendingSearches || this.rt.live.count >= this.rt.settings.maxTunnels) {
      this.rt.counters.droppedBlocks++
      return
    }
    this.searches++
    void this.answerInbound(block)
      .then((duplex) => { if (duplex != null) this.onInbound(duplex) })
      .catch((err: Error) => {
        this.rt.counters.setupFailures++
        this.rt.log.debug('inbound tunnel failed at the owner', { path: this.id, err: err.message })
      })
      .finally(() => { this.searches-- })
  }

  private async answerInbound (layeredInit: Buffer): Promise<OwnerTunnelDuplex | null> {
    const found = await this.rt.searcher.search(layeredInit, this.hopKeys, { kind: 'inbound', apAddresses: this.ownApAddresses() })
    if (found.keyIndices == null) {
      this.rt.counters.droppedBlocks++
      return null
    }
    const answer = answerInboundTunnel({ hopKeys: this.hopKeys, keyIndices: found.keyIndices, layeredInit, flags: 0, observer: (i) => this.observer(i) })
    const timeoutMs = this.rt.settings.setupStepTimeoutMs
    const x1 = this.handle.hops[0]!
    const stream = await openTunnelStream(this.rt.host, { peerId: x1.peer.peerId, multiaddrs: x1.peer.multiaddrs }, encodeTunnelStreamHello({ linkId: x1.linkIn, first: answer.firstOut, second: answer.replyOut }), timeoutMs)
    const reader = setupReader(stream, BLOCK_BYTES)
    try {
      const dummy = await reader.read(BLOCK_BYTES, timeoutMs)
      await sendAll(stream, answerInboundDummy(dummy), timeoutMs)
    } catch (err) {
      reader.detach()
      resetQuietly(stream, 'inbound tunnel failed')
      throw err
    }
    return this.established(stream, reader, answer.tunnel, false, 'ownedInbound')
  }
}
