import { EventEmitter } from 'node:events'
import { randomBytes, randomInt } from '../../crypto/random.js'
import { ErrorCode, errorCodeName, type ErrorCodeValue } from '../frames/errorCode.js'
import { decodeFrame, encodeFrameWithRoom, PING_OPAQUE_BYTES, type Frame } from '../frames/frameCodec.js'
import { FrameDecodeError } from '../frames/frameDecodeError.js'
import { FrameType } from '../frames/frameType.js'
import { DEFAULT_PADDING_POLICY, paddingLengthFor, type PaddingPolicy } from '../frames/paddingStrategy.js'
import type { AuthenticatedPeer } from '../handshake/sessionHandshake.js'
import type { HandshakeResult } from '../noise/handshakeState.js'
import { TokenBucket } from '../../rateLimit/tokenBucket.js'
import {
  FRAME_HEADER_BYTES, INITIAL_WINDOW_BYTES, MAX_CONCURRENT_STREAMS, MAX_DATA_PAYLOAD_BYTES, MAX_DATAGRAM_BYTES, MAX_QUEUED_BYTES, MAX_QUEUED_BYTES_FOR_DATAGRAMS, MAX_QUEUED_BYTES_FOR_STREAMS,
  MAX_PADDING_BYTES, MAX_STREAM_ID, MAX_WINDOW_BYTES, PEER_STREAM_OPENS_BURST, PEER_STREAM_OPENS_PER_SECOND, STREAM_IDLE_TIMEOUT_MS
} from '../sessionLimits.js'
import type { ByteDuplex } from '../transport/byteDuplex.js'
import { createRecordLayer, type RecordLayerOptions } from '../transport/recordLayer.js'
import { PeerRekeyOverdueError, type RecordOpener } from '../transport/recordOpener.js'
import type { RecordSealer } from '../transport/recordSealer.js'
import { RECORD_LENGTH_BYTES, RECORD_TAG_BYTES } from '../transport/recordFormat.js'
import { PhantomStream, type StreamController } from './phantomStream.js'
import { ReceiveWindow } from './receiveWindow.js'
import { SessionClosedError, StreamIdleError, StreamResetError } from './streamErrors.js'
import { canReceive, canSend, nextStreamState, type StreamEvent } from './streamState.js'

export interface SessionOptions {
  padding?: PaddingPolicy
  maxConcurrentStreams?: number
  /** Receive window this side grants per stream (INITIAL_WINDOW_BYTES..MAX_WINDOW_BYTES). */
  streamWindowBytes?: number
  /** Receive window this side grants for the whole connection; bounds the memory of received, unread data. */
  connectionWindowBytes?: number
  maxDataPayloadBytes?: number
  /** Readable/Writable high-water mark of each stream (received, unread bytes stay within the window whatever it is). */
  streamHighWaterMark?: number
  /** Send PING this often; a PING still unanswered at the next tick ends the session. 0 = off. */
  keepAliveIntervalMs?: number
  /** Send a PADDING frame when nothing was sent for this long (T§9.3). 0 = off. */
  idlePaddingIntervalMs?: number
  /** Reset a stream that carried no DATA either way for this long (T§7.3; default STREAM_IDLE_TIMEOUT_MS). 0 = never. */
  streamIdleTimeoutMs?: number
  record?: RecordLayerOptions
  now?: () => number
}

/** Connection receive window by default: 16 × the initial window (4 MiB). */
export const DEFAULT_CONNECTION_WINDOW_BYTES = 16 * INITIAL_WINDOW_BYTES
export const DEFAULT_STREAM_HIGH_WATER_MARK = 64 * 1024
const MAX_OUTSTANDING_PINGS = 16

export interface SessionEvents {
  stream: [stream: PhantomStream]
  datagram: [packet: Buffer]
  goaway: [lastStreamId: number, errorCode: ErrorCodeValue]
  close: [error?: Error]
}

/**
 * An established session (T§6–T§10) over a byte transport: the record layer,
 * stream multiplexing with flow control, PING/PONG, GOAWAY, DATAGRAM, padding.
 * Any authentication failure ends it at once and nothing more is delivered.
 * A peer that asks for replies it does not read (MAX_QUEUED_BYTES) or opens
 * streams too fast gets GOAWAY(ENHANCE_YOUR_CALM); one that does not rekey,
 * GOAWAY(PROTOCOL_ERROR); idle streams are reset (T§7.3).
 * Emits 'stream' for streams the peer opens (no listener: refused), 'datagram',
 * 'goaway' and 'close' (with an error unless it ended gracefully).
 */
export class Session extends EventEmitter<SessionEvents> implements StreamController {
  readonly isInitiator: boolean
  readonly peer: AuthenticatedPeer
  readonly handshakeHash: Buffer
  private readonly sealer: RecordSealer
  private readonly opener: RecordOpener
  private readonly streams = new Map<number, PhantomStream>()
  private readonly blockedOnConnection = new Set<PhantomStream>()
  /** Streams with data to send while the transport holds MAX_QUEUED_BYTES_FOR_STREAMS or more. */
  private readonly blockedOnTransport = new Set<PhantomStream>()
  private readonly pings = new Map<string, { resolve: (rttMs: number) => void, reject: (error: Error) => void, sentAt: number }>()
  private readonly padding: PaddingPolicy
  private readonly maxConcurrent: number
  private readonly streamWindowBytes: number
  private readonly maxDataPayload: number
  private readonly highWaterMark: number
  private readonly now: () => number
  private readonly connectionReceive: ReceiveWindow
  private connectionSendWindow = INITIAL_WINDOW_BYTES
  private nextLocalId: number
  private lastPeerStreamId = 0
  private localOpen = 0
  private peerOpen = 0
  private goingAway = false
  private peerGoingAway = false
  private closedWith: { error?: Error } | null = null
  private lastSentAt: number
  private readonly timers: NodeJS.Timeout[] = []
  private keepAlivePending: string | null = null
  private readonly peerStreamOpens: TokenBucket
  /** DATAGRAMs dropped because the transport was congested. */
  datagramsDropped = 0

  constructor (private readonly transport: ByteDuplex, handshake: HandshakeResult, peer: AuthenticatedPeer, isInitiator: boolean, options: SessionOptions = {}, initialBytes?: Uint8Array) {
    super()
    this.isInitiator = isInitiator
    this.peer = peer
    this.handshakeHash = handshake.handshakeHash
    this.padding = options.padding ?? DEFAULT_PADDING_POLICY
    this.maxConcurrent = options.maxConcurrentStreams ?? MAX_CONCURRENT_STREAMS
    this.streamWindowBytes = clampWindow(options.streamWindowBytes ?? INITIAL_WINDOW_BYTES)
    this.maxDataPayload = options.maxDataPayloadBytes ?? MAX_DATA_PAYLOAD_BYTES
    if (!Number.isInteger(this.maxDataPayload) || this.maxDataPayload < 1 || this.maxDataPayload > MAX_DATAGRAM_BYTES) throw new RangeError(`maxDataPayloadBytes must be 1..${MAX_DATAGRAM_BYTES}`)
    this.highWaterMark = options.streamHighWaterMark ?? DEFAULT_STREAM_HIGH_WATER_MARK
    const idleTimeout = options.streamIdleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS
    if (!Number.isInteger(idleTimeout) || idleTimeout < 0) throw new RangeError('streamIdleTimeoutMs must be a whole number of ms ≥ 0')
    this.now = options.now ?? Date.now
    this.lastSentAt = this.now()
    this.nextLocalId = isInitiator ? 1 : 2
    this.connectionReceive = new ReceiveWindow(clampWindow(options.connectionWindowBytes ?? DEFAULT_CONNECTION_WINDOW_BYTES), INITIAL_WINDOW_BYTES)
    this.peerStreamOpens = new TokenBucket(PEER_STREAM_OPENS_PER_SECOND, PEER_STREAM_OPENS_BURST, this.now)
    const layer = createRecordLayer(handshake, isInitiator, {
      record: (plaintext) => this.onRecord(plaintext),
      // every record so far was authentic: the peer only kept its key too long, and may be told so
      failure: (error) => error instanceof PeerRekeyOverdueError ? this.connectionError(ErrorCode.PROTOCOL_ERROR, error.message) : this.terminate(error)
    }, { now: this.now, ...options.record })
    this.sealer = layer.sealer
    this.opener = layer.opener
    // Incoming bytes are held until the next turn of the event loop so that
    // listeners attached right after construction see every event.
    let startQueue: Buffer[] | null = initialBytes != null && initialBytes.byteLength > 0 ? [Buffer.from(initialBytes)] : []
    transport.onData((bytes) => {
      if (startQueue != null) startQueue.push(Buffer.from(bytes))
      else this.opener.push(bytes)
    })
    let closedDuringStart: (() => void) | null = null
    setImmediate(() => {
      const queued = startQueue ?? []
      startQueue = null
      for (const bytes of queued) this.opener.push(bytes)
      closedDuringStart?.()
    })
    transport.onClose((error) => {
      const end = (): void => this.terminate(error ?? new SessionClosedError('transport closed by the peer'), false)
      if (startQueue != null) closedDuringStart = end
      else end()
    })
    transport.onDrain(() => { this.resumeBlockedOnTransport() })
    const raise = this.connectionReceive.raiseToTarget()
    if (raise > 0) this.sendFrame({ type: FrameType.WINDOW_UPDATE, streamId: 0, increment: raise })
    if ((options.keepAliveIntervalMs ?? 0) > 0) this.every(options.keepAliveIntervalMs as number, () => this.keepAlive())
    if ((options.idlePaddingIntervalMs ?? 0) > 0) {
      const interval = options.idlePaddingIntervalMs as number
      this.every(interval, () => {
        if (this.now() - this.lastSentAt >= interval) this.sendFrame({ type: FrameType.PADDING, filler: randomInt(MAX_PADDING_BYTES + 1) })
      })
    }
    // checked four times per timeout: a stream is reset between 1 and 1.25 timeouts after its last DATA
    if (idleTimeout > 0) this.every(Math.max(1, Math.floor(idleTimeout / 4)), () => this.resetIdleStreams(idleTimeout))
  }

  get isClosed (): boolean {
    return this.closedWith != null
  }

  /** Why the session ended (undefined while open or after a graceful close). */
  get closeError (): Error | undefined {
    return this.closedWith?.error
  }

  /** Streams currently open (either side). */
  get activeStreamCount (): number {
    return this.streams.size
  }

  /** Record-layer rekeys so far (sent, received). */
  get rekeyCounts (): { sent: number, received: number } {
    return { sent: this.sealer.rekeyCount, received: this.opener.rekeyCount }
  }

  /** Opens a stream to `port` on the peer's AP address. DATA may follow STREAM_OPEN at once. */
  openStream (port: number): PhantomStream {
    if (!Number.isInteger(port) || port < 1 || port > 0xffff) throw new RangeError('port must be 1..65535')
    if (this.closedWith != null) throw new SessionClosedError()
    if (this.peerGoingAway || this.goingAway) throw new SessionClosedError('session is going away')
    if (this.localOpen >= this.maxConcurrent) throw new RangeError('too many concurrent streams')
    if (this.nextLocalId > MAX_STREAM_ID) throw new RangeError('stream IDs exhausted')
    const id = this.nextLocalId
    this.nextLocalId += 2
    const stream = this.createStream(id, port, true)
    this.sendFrame({ type: FrameType.STREAM_OPEN, streamId: id, port })
    this.raiseStreamWindow(stream)
    return stream
  }

  /**
   * Sends one IP packet (unreliable, not flow-controlled). False when it was
   * dropped: the session is closed, or its transport is congested
   * (MAX_QUEUED_BYTES_FOR_DATAGRAMS).
   */
  sendDatagram (packet: Uint8Array): boolean {
    if (packet.byteLength < 1 || packet.byteLength > MAX_DATAGRAM_BYTES) throw new RangeError(`datagram must be 1..${MAX_DATAGRAM_BYTES} bytes`)
    if (this.closedWith != null) return false
    if (this.transport.queuedBytes > MAX_QUEUED_BYTES_FOR_DATAGRAMS) {
      this.datagramsDropped++
      return false
    }
    // a view, not a copy: sendFrame encodes the packet into its record before returning
    this.sendFrame({ type: FrameType.DATAGRAM, packet: Buffer.isBuffer(packet) ? packet : Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength) })
    return true
  }

  /** PING; resolves with the round-trip time in ms. */
  ping (): Promise<number> {
    if (this.closedWith != null) return Promise.reject(new SessionClosedError())
    if (this.pings.size >= MAX_OUTSTANDING_PINGS) return Promise.reject(new RangeError('too many outstanding pings'))
    const opaque = randomBytes(PING_OPAQUE_BYTES)
    return new Promise((resolve, reject) => {
      this.pings.set(opaque.toString('hex'), { resolve, reject, sentAt: this.now() })
      this.sendFrame({ type: FrameType.PING, opaque })
    })
  }

  /** Sends GOAWAY with `errorCode` and closes the transport; live streams end with SessionClosedError. */
  close (errorCode: ErrorCodeValue = ErrorCode.NO_ERROR): void {
    if (this.closedWith != null) return
    this.goingAway = true
    this.sendFrame({ type: FrameType.GOAWAY, lastStreamId: this.lastPeerStreamId, errorCode })
    this.terminate(errorCode === ErrorCode.NO_ERROR ? undefined : new SessionClosedError(`closed locally: ${errorCodeName(errorCode)}`, errorCode))
  }

  // ---- StreamController ----

  write (stream: PhantomStream, data: Buffer, done: (error?: Error | null) => void): void {
    if (this.closedWith != null) { done(new SessionClosedError()); return }
    if (!canSend(stream.state)) { done(new StreamResetError(ErrorCode.STREAM_CLOSED, 'local')); return }
    stream.pendingWrite = { data, offset: 0, done }
    this.flush(stream)
  }

  end (stream: PhantomStream, done: (error?: Error | null) => void): void {
    if (this.closedWith != null) { done(new SessionClosedError()); return }
    if (!canSend(stream.state)) { done(); return }
    this.sendFrame({ type: FrameType.STREAM_CLOSE, streamId: stream.id, errorCode: null })
    this.transition(stream, 'sendEnd')
    done()
  }

  consumed (stream: PhantomStream, bytes: number): void {
    if (this.closedWith != null) return
    const connectionIncrement = this.connectionReceive.consume(bytes)
    if (connectionIncrement > 0) this.sendFrame({ type: FrameType.WINDOW_UPDATE, streamId: 0, increment: connectionIncrement })
    if (this.streams.get(stream.id) !== stream || !canReceive(stream.state)) return
    const streamIncrement = stream.receiveWindow.consume(bytes)
    if (streamIncrement > 0) this.sendFrame({ type: FrameType.WINDOW_UPDATE, streamId: stream.id, increment: streamIncrement })
  }

  destroyed (stream: PhantomStream, error: Error | null): void {
    stream.pendingWrite = null
    this.blockedOnConnection.delete(stream)
    this.blockedOnTransport.delete(stream)
    this.returnConnectionCredit(stream.discardInbound())
    if (this.streams.get(stream.id) !== stream) return
    if (!stream.resetByPeer && stream.state !== 'closed' && this.closedWith == null) {
      const code = error instanceof StreamResetError ? error.errorCode : ErrorCode.CANCEL
      this.sendFrame({ type: FrameType.STREAM_CLOSE, streamId: stream.id, errorCode: code })
    }
    this.forget(stream)
  }

  // ---- internals ----

  private createStream (id: number, port: number, openedLocally: boolean): PhantomStream {
    const stream = new PhantomStream(this, {
      id,
      port,
      openedLocally,
      initialSendWindow: INITIAL_WINDOW_BYTES,
      receiveWindow: new ReceiveWindow(this.streamWindowBytes, INITIAL_WINDOW_BYTES),
      highWaterMark: this.highWaterMark,
      openedAt: this.now()
    })
    this.streams.set(id, stream)
    if (openedLocally) this.localOpen++
    else this.peerOpen++
    return stream
  }

  private raiseStreamWindow (stream: PhantomStream): void {
    const raise = stream.receiveWindow.raiseToTarget()
    if (raise > 0) this.sendFrame({ type: FrameType.WINDOW_UPDATE, streamId: stream.id, increment: raise })
  }

  private forget (stream: PhantomStream): void {
    if (this.streams.get(stream.id) !== stream) return
    this.streams.delete(stream.id)
    this.blockedOnConnection.delete(stream)
    this.blockedOnTransport.delete(stream)
    if (stream.openedLocally) this.localOpen--
    else this.peerOpen--
  }

  private transition (stream: PhantomStream, event: StreamEvent): boolean {
    const next = nextStreamState(stream.state, event)
    if (next == null) return false
    stream.state = next
    if (next === 'closed') this.forget(stream)
    return true
  }

  /** Sends as much of the stream's pending write as both windows, and the transport's queue, allow. */
  private flush (stream: PhantomStream): void {
    const pending = stream.pendingWrite
    if (pending == null) return
    while (this.closedWith == null && stream.pendingWrite === pending) {
      if (this.transport.queuedBytes >= MAX_QUEUED_BYTES_FOR_STREAMS) {
        this.blockedOnTransport.add(stream)
        return
      }
      const remaining = pending.data.byteLength - pending.offset
      const size = Math.min(remaining, this.maxDataPayload, stream.sendWindow, this.connectionSendWindow)
      if (size <= 0) {
        if (this.connectionSendWindow <= 0) this.blockedOnConnection.add(stream)
        return
      }
      const chunk = pending.data.subarray(pending.offset, pending.offset + size)
      pending.offset += size
      stream.sendWindow -= size
      this.connectionSendWindow -= size
      stream.lastDataAt = this.now()
      this.sendFrame({ type: FrameType.DATA, streamId: stream.id, data: chunk })
      if (pending.offset === pending.data.byteLength) {
        stream.pendingWrite = null
        pending.done()
      }
    }
  }

  /** The transport passed bytes on: streams held back by MAX_QUEUED_BYTES_FOR_STREAMS go on, oldest first, while it holds less than that. */
  private resumeBlockedOnTransport (): void {
    if (this.blockedOnTransport.size === 0) return
    const blocked = [...this.blockedOnTransport]
    this.blockedOnTransport.clear()
    for (const stream of blocked) this.flush(stream)
  }

  private returnConnectionCredit (bytes: number): void {
    if (bytes <= 0 || this.closedWith != null) return
    const increment = this.connectionReceive.consume(bytes)
    if (increment > 0) this.sendFrame({ type: FrameType.WINDOW_UPDATE, streamId: 0, increment })
  }

  private sendFrame (frame: Frame): void {
    if (this.closedWith != null) return
    if (frame.type !== FrameType.GOAWAY && this.transport.queuedBytes > MAX_QUEUED_BYTES) {
      this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, `peer does not read: ${this.transport.queuedBytes} bytes wait for it`)
      return
    }
    // the frame is encoded straight into its record and encrypted there (no copy per layer)
    const record = encodeFrameWithRoom(frame, paddingLengthFor(FRAME_HEADER_BYTES + framePayloadLength(frame), this.padding), RECORD_LENGTH_BYTES, RECORD_TAG_BYTES)
    this.lastSentAt = this.now()
    this.transport.send(this.sealer.sealInPlace(record))
  }

  private isOurs (streamId: number): boolean {
    return (streamId % 2 === 1) === this.isInitiator
  }

  /** A frame for a stream not in the table: an old stream (ignore) or one never opened (protocol error). */
  private isOldStream (streamId: number): boolean {
    return this.isOurs(streamId) ? streamId < this.nextLocalId : streamId <= this.lastPeerStreamId
  }

  private onRecord (plaintext: Buffer): void {
    if (this.closedWith != null) return
    let frame: Frame
    try {
      frame = decodeFrame(plaintext)
    } catch (error) {
      this.connectionError(error instanceof FrameDecodeError ? error.errorCode : ErrorCode.PROTOCOL_ERROR, (error as Error).message)
      return
    }
    try {
      this.onFrame(frame)
    } catch (error) {
      this.connectionError(ErrorCode.INTERNAL_ERROR, `internal error: ${(error as Error).message}`)
    }
  }

  private onFrame (frame: Frame): void {
    switch (frame.type) {
      case FrameType.DATA: return this.onData(frame.streamId, frame.data)
      case FrameType.STREAM_OPEN: return this.onStreamOpen(frame.streamId, frame.port)
      case FrameType.STREAM_CLOSE: return this.onStreamClose(frame.streamId, frame.errorCode)
      case FrameType.WINDOW_UPDATE: return this.onWindowUpdate(frame.streamId, frame.increment)
      case FrameType.PING: return this.sendFrame({ type: FrameType.PONG, opaque: frame.opaque })
      case FrameType.PONG: {
        const id = frame.opaque.toString('hex')
        const waiting = this.pings.get(id)
        if (id === this.keepAlivePending) this.keepAlivePending = null
        if (waiting == null) return
        this.pings.delete(id)
        waiting.resolve(this.now() - waiting.sentAt)
        return
      }
      case FrameType.GOAWAY: return this.onGoAway(frame.lastStreamId, frame.errorCode)
      case FrameType.PADDING: return
      case FrameType.DATAGRAM: {
        this.emit('datagram', frame.packet)
      }
    }
  }

  private onData (streamId: number, data: Buffer): void {
    if (!this.connectionReceive.receive(data.byteLength)) return this.connectionError(ErrorCode.FLOW_CONTROL_ERROR, 'peer exceeded the connection window')
    const stream = this.streams.get(streamId)
    if (stream == null) {
      if (!this.isOldStream(streamId)) return this.connectionError(ErrorCode.PROTOCOL_ERROR, `DATA on stream ${streamId} that was never opened`)
      this.returnConnectionCredit(data.byteLength)
      return
    }
    if (!canReceive(stream.state)) {
      this.returnConnectionCredit(data.byteLength)
      stream.reset(ErrorCode.STREAM_CLOSED)
      return
    }
    if (!stream.receiveWindow.receive(data.byteLength)) return this.connectionError(ErrorCode.FLOW_CONTROL_ERROR, `peer exceeded the window of stream ${streamId}`)
    stream.lastDataAt = this.now()
    stream.deliver(data)
  }

  private onStreamOpen (streamId: number, port: number): void {
    if (this.isOurs(streamId) || streamId <= this.lastPeerStreamId) return this.connectionError(ErrorCode.PROTOCOL_ERROR, `invalid new stream ID ${streamId}`)
    this.lastPeerStreamId = streamId
    if (!this.peerStreamOpens.take()) return this.connectionError(ErrorCode.ENHANCE_YOUR_CALM, `peer opened streams faster than ${PEER_STREAM_OPENS_PER_SECOND} a second (burst ${PEER_STREAM_OPENS_BURST})`)
    if (this.goingAway || this.peerOpen >= this.maxConcurrent || this.listenerCount('stream') === 0) {
      this.sendFrame({ type: FrameType.STREAM_CLOSE, streamId, errorCode: ErrorCode.REFUSED_STREAM })
      return
    }
    const stream = this.createStream(streamId, port, false)
    this.raiseStreamWindow(stream)
    this.emit('stream', stream)
  }

  private onStreamClose (streamId: number, errorCode: ErrorCodeValue | null): void {
    const stream = this.streams.get(streamId)
    if (stream == null) {
      if (!this.isOldStream(streamId)) this.connectionError(ErrorCode.PROTOCOL_ERROR, `STREAM_CLOSE on stream ${streamId} that was never opened`)
      return
    }
    if (errorCode != null) {
      stream.resetByPeer = true
      this.transition(stream, 'reset')
      stream.destroy(new StreamResetError(errorCode, 'remote'))
      return
    }
    if (!this.transition(stream, 'receiveEnd')) {
      stream.reset(ErrorCode.STREAM_CLOSED)
      return
    }
    stream.deliverEnd()
  }

  private onWindowUpdate (streamId: number, increment: number): void {
    if (streamId === 0) {
      if (this.connectionSendWindow + increment > MAX_WINDOW_BYTES) return this.connectionError(ErrorCode.FLOW_CONTROL_ERROR, 'connection window above the maximum')
      this.connectionSendWindow += increment
      const blocked = [...this.blockedOnConnection]
      this.blockedOnConnection.clear()
      for (const stream of blocked) this.flush(stream)
      return
    }
    const stream = this.streams.get(streamId)
    if (stream == null) {
      if (!this.isOldStream(streamId)) this.connectionError(ErrorCode.PROTOCOL_ERROR, `WINDOW_UPDATE on stream ${streamId} that was never opened`)
      return
    }
    if (stream.sendWindow + increment > MAX_WINDOW_BYTES) {
      stream.reset(ErrorCode.FLOW_CONTROL_ERROR)
      return
    }
    stream.sendWindow += increment
    this.flush(stream)
  }

  private onGoAway (lastStreamId: number, errorCode: ErrorCodeValue): void {
    this.peerGoingAway = true
    this.emit('goaway', lastStreamId, errorCode)
    if (errorCode !== ErrorCode.NO_ERROR) {
      this.terminate(new SessionClosedError(`peer sent GOAWAY: ${errorCodeName(errorCode)}`, errorCode))
      return
    }
    for (const stream of [...this.streams.values()]) {
      if (stream.openedLocally && stream.id > lastStreamId) {
        stream.resetByPeer = true
        this.transition(stream, 'reset')
        stream.destroy(new StreamResetError(ErrorCode.REFUSED_STREAM, 'remote'))
      }
    }
  }

  private connectionError (errorCode: ErrorCodeValue, message: string): void {
    if (this.closedWith != null) return
    this.goingAway = true
    this.sendFrame({ type: FrameType.GOAWAY, lastStreamId: this.lastPeerStreamId, errorCode })
    this.terminate(new SessionClosedError(`${errorCodeName(errorCode)}: ${message}`, errorCode))
  }

  private keepAlive (): void {
    if (this.keepAlivePending != null) {
      this.terminate(new SessionClosedError('keep-alive PING unanswered'))
      return
    }
    const opaque = randomBytes(PING_OPAQUE_BYTES)
    this.keepAlivePending = opaque.toString('hex')
    this.sendFrame({ type: FrameType.PING, opaque })
  }

  /** T§7.3: resets every stream whose last DATA (either way) is `timeoutMs` old. */
  private resetIdleStreams (timeoutMs: number): void {
    const now = this.now()
    for (const stream of [...this.streams.values()]) {
      if (now - stream.lastDataAt >= timeoutMs) stream.destroy(new StreamIdleError(timeoutMs))
    }
  }

  private every (intervalMs: number, action: () => void): void {
    const timer = setInterval(action, intervalMs)
    timer.unref()
    this.timers.push(timer)
  }

  /** Ends the session once: stops the record layer, closes the transport, ends every stream and pending ping. */
  private terminate (error?: Error, closeTransport = true): void {
    if (this.closedWith != null) return
    this.closedWith = error != null ? { error } : {}
    for (const timer of this.timers) clearInterval(timer)
    this.opener.stop()
    this.sealer.destroy()
    if (closeTransport) this.transport.close(error)
    const failure = error ?? new SessionClosedError()
    for (const stream of [...this.streams.values()]) {
      this.forget(stream)
      stream.state = 'closed'
      stream.resetByPeer = true
      stream.destroy(failure)
    }
    for (const ping of this.pings.values()) ping.reject(failure)
    this.pings.clear()
    this.emit('close', error)
  }
}

/** Payload length of a frame as encodeFrame will write it. */
function framePayloadLength (frame: Frame): number {
  switch (frame.type) {
    case FrameType.DATA: return frame.data.byteLength
    case FrameType.DATAGRAM: return frame.packet.byteLength
    case FrameType.PADDING: return frame.filler
    case FrameType.STREAM_OPEN: return 2
    case FrameType.STREAM_CLOSE: return frame.errorCode == null ? 0 : 4
    case FrameType.WINDOW_UPDATE: return 4
    case FrameType.PING:
    case FrameType.PONG:
    case FrameType.GOAWAY: return 8
  }
}

function clampWindow (bytes: number): number {
  if (!Number.isInteger(bytes) || bytes < INITIAL_WINDOW_BYTES || bytes > MAX_WINDOW_BYTES) throw new RangeError(`window must be ${INITIAL_WINDOW_BYTES}..${MAX_WINDOW_BYTES} bytes`)
  return bytes
}
