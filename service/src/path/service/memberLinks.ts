/**
 * The X-node's side of linking (PROTOCOL.md §6 "Linking") on
 * /phantom/link/1.0.0. After round 2 an X-node waits (at most
 * setupStateTtlMs) for its final predecessor to open a link presenting the
 * expected link ID from the expected PeerId. It then links to its successor
 * and passes the ready block back, or, as the terminating node, answers with
 * its own ready layer (and, for an entry path, publishes the AP record it was
 * handed and republishes it while the path lives). The two link streams stay
 * open; closing or resetting either one tears the relayed path down.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { constantTimeEqual } from '../../crypto/index.js'
import { PHANTOM_LINK_PROTOCOL } from '../../link/phantomProtocols.js'
import { decodeApRecord } from '../../netdb/records/apRecord.js'
import { apRecordKey } from '../../netdb/recordKeys.js'
import type { PathMemberState } from '../member/memberState.js'
import { ExactReader } from '../network/exactReader.js'
import { decodeLinkHello, encodeLinkHello, LINK_BLOCK_BYTES, readyLayer, xorBlocks } from '../network/linkBlocks.js'
import { dialTargets, peerIdBytes, peerIdOfBytes } from '../network/peerAddressing.js'
import { resetQuietly, sendAll } from '../network/streamSend.js'
import type { PathRuntime } from './pathRuntime.js'
import { remotePeerOf, WireTap } from './wireTap.js'

interface PendingLink {
  state: PathMemberState
  timer: NodeJS.Timeout
}

interface RelayedPath {
  streams: Stream[]
  republish: NodeJS.Timeout | undefined
  terminating: boolean
  closeListeners: Array<() => void>
}

export type PutRecord = (key: Uint8Array, value: Uint8Array) => Promise<number>

/**
 * A path this node relays as an X-node, once linked: what the tunnel layer
 * needs. The link streams are handed over with no reader attached; the
 * tunnel layer reads them from now on. `close` tears the path down;
 * `onClose` runs once when it goes (either way).
 */
export interface RelayedPathHandle {
  readonly state: PathMemberState
  /** Link stream to the final predecessor (it opened it). */
  readonly toPrev: Stream
  /** Link stream to the final successor (this node opened it); null at the terminating node. */
  readonly toNext: Stream | null
  close: () => void
  onClose: (listener: () => void) => void
}

export class MemberLinks {
  private readonly pending = new Map<string, PendingLink>()
  private readonly relayed = new Set<RelayedPath>()
  private readonly opening = new Set<Stream>()

  constructor (private readonly rt: PathRuntime, private readonly putRecord: PutRecord, private readonly onLinked?: (handle: RelayedPathHandle) => void) {}

  get pendingCount (): number { return this.pending.size }
  get relayedCount (): number { return this.relayed.size }

  /** Keeps an X-node's state after round 2 until its predecessor links (or the TTL passes). */
  expect (state: PathMemberState): void {
    if (this.pending.size >= this.rt.settings.maxConcurrentSetups) {
      this.rt.log.debug('path state dropped: too many unlinked paths')
      return
    }
    const key = state.linkIn.toString('hex')
    const timer = setTimeout(() => { this.pending.delete(key) }, this.rt.settings.setupStateTtlMs)
    timer.unref()
    this.pending.set(key, { state, timer })
  }

  readonly handle = (stream: Stream, connection: Connection): void => {
    void this.run(stream, connection).catch((err: Error) => {
      this.rt.log.debug('link failed', { err })
      resetQuietly(stream, 'link failed')
    })
  }

  /** Tears down every relayed path and forgets pending ones (service stop). */
  closeAll (): void {
    for (const p of this.pending.values()) clearTimeout(p.timer)
    this.pending.clear()
    for (const s of this.opening) resetQuietly(s, 'path service stopping')
    this.opening.clear()
    for (const path of [...this.relayed]) this.teardown(path)
  }

  private async run (inbound: Stream, connection: Connection): Promise<void> {
    const { settings } = this.rt
    this.opening.add(inbound)
    const tapIn = new WireTap(this.rt, 'link', 'inbound', remotePeerOf(connection))
    const reader = new ExactReader(inbound, LINK_BLOCK_BYTES)
    let outbound: Stream | null = null
    try {
      const hello = await reader.read(LINK_BLOCK_BYTES, settings.roundTimeoutMs)
      tapIn.recv(hello.byteLength)
      const linkId = decodeLinkHello(hello)
      const key = linkId.toString('hex')
      const pending = this.pending.get(key)
      if (pending == null) throw new Error('no path expects this link ID')
      const { state } = pending
      if (!constantTimeEqual(peerIdBytes(connection.remotePeer), state.prev.peerId) || !constantTimeEqual(linkId, state.linkIn)) throw new Error('link from the wrong peer')
      this.pending.delete(key)
      clearTimeout(pending.timer)
      if (this.relayed.size >= settings.maxRelayedPaths) throw new Error('too many relayed paths')

      let ready = readyLayer(state.keySeed, state.linkIn)
      if (!state.terminating) {
        if (state.next == null || state.linkOut == null) throw new Error('non-terminating state without successor')
        const { addrs } = dialTargets(state.next)
        outbound = await this.rt.host.dialProtocol(addrs, PHANTOM_LINK_PROTOCOL, { signal: AbortSignal.timeout(settings.roundTimeoutMs), negotiateFully: false })
        this.opening.add(outbound)
        const tapOut = new WireTap(this.rt, 'link', 'outbound', peerIdOfBytes(state.next.peerId).toString())
        const outReader = new ExactReader(outbound, LINK_BLOCK_BYTES)
        const helloOut = encodeLinkHello(state.linkOut)
        await sendAll(outbound, helloOut, settings.roundTimeoutMs)
        tapOut.send(helloOut.byteLength)
        const back = await outReader.read(LINK_BLOCK_BYTES, settings.roundTimeoutMs)
        tapOut.recv(back.byteLength)
        ready = xorBlocks(back, ready)
        outReader.detach()
      }
      reader.detach()
      await sendAll(inbound, ready, settings.roundTimeoutMs)
      tapIn.send(ready.byteLength)
      const streams = outbound == null ? [inbound] : [inbound, outbound]
      const path: RelayedPath = { streams, republish: undefined, terminating: state.terminating, closeListeners: [] }
      this.relayed.add(path)
      for (const s of streams) {
        this.opening.delete(s)
        s.addEventListener('close', () => { this.teardown(path) }, { once: true })
        if (s.status !== 'open') { this.teardown(path); return }
      }
      if (this.onLinked != null) {
        this.onLinked({
          state,
          toPrev: inbound,
          toNext: outbound,
          close: () => { this.teardown(path) },
          onClose: (listener) => { if (this.relayed.has(path)) path.closeListeners.push(listener); else listener() }
        })
      } else {
        // without a tunnel layer, any further byte on a link stream is a protocol violation
        for (const s of streams) s.addEventListener('message', () => { this.teardown(path) })
      }
      if (state.terminating && state.entry && state.apAddress != null && state.apRecord != null) this.publishWhileLive(path, state.apAddress, state.apRecord)
    } catch (err) {
      this.opening.delete(inbound)
      if (outbound != null) { this.opening.delete(outbound); resetQuietly(outbound, 'link failed') }
      throw err
    }
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
