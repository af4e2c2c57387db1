import {
  SOCKS_REQUEST_MAX_BYTES, SocksCommand, SocksMethod, SocksReply
} from './socksConstants.js'
import { encodeMethodSelection, encodeReply, parseGreeting, parseRequest, type SocksRequest } from './socksCodec.js'
import { phantomTargetFor, type PhantomNameLookup, type PhantomTarget } from './phantomTarget.js'

export const DEFAULT_MAX_EARLY_DATA_BYTES = 64 * 1024

export interface SocksHandshakeOptions {
  lookupName?: PhantomNameLookup
  /** Bytes a client may send after its request before it has its reply. */
  maxEarlyDataBytes?: number
}

export type SocksHandshakeResult =
  /** Needs more bytes. */
  | { kind: 'more' }
  /**
   * Send `send`, then close: `reason` says why (for logs); `reply` is the REP
   * code sent, 0xff for "no acceptable methods", null when nothing could be sent.
   */
  | { kind: 'close', reason: string, reply: number | null }
  /** Connect to `target`; `early` holds bytes the client sent after its request. */
  | { kind: 'connect', target: PhantomTarget, request: SocksRequest, early: Buffer }

export interface SocksHandshakeStep {
  /** Bytes to write to the client, in order, before acting on `result`. */
  send: Buffer[]
  result: SocksHandshakeResult
}

type Phase = 'greeting' | 'request' | 'done'

/**
 * The server side of RFC 1928 negotiation as a state machine over received
 * chunks (any chunking). It holds at most one incomplete message
 * (≤ SOCKS_REQUEST_MAX_BYTES bytes) between calls and decides everything the
 * protocol lets it decide before a connection is attempted: method, command,
 * address type and the destination policy (phantomTargetFor).
 */
export class SocksHandshake {
  private phase: Phase = 'greeting'
  private pending: Buffer = Buffer.alloc(0)
  private readonly maxEarlyDataBytes: number

  constructor (private readonly options: SocksHandshakeOptions = {}) {
    this.maxEarlyDataBytes = options.maxEarlyDataBytes ?? DEFAULT_MAX_EARLY_DATA_BYTES
  }

  /** Bytes held while waiting for the rest of a message. */
  get bufferedBytes (): number { return this.pending.length }

  get finished (): boolean { return this.phase === 'done' }

  /** Whether a method has been agreed, i.e. a SOCKS reply is a valid answer now. */
  get awaitingRequest (): boolean { return this.phase === 'request' }

  push (chunk: Uint8Array): SocksHandshakeStep {
    if (this.phase === 'done') throw new Error('SOCKS handshake already finished')
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk])
    const send: Buffer[] = []
    if (this.phase === 'greeting') {
      const greeting = parseGreeting(this.pending)
      if (greeting.status === 'incomplete') return { send, result: { kind: 'more' } }
      if (greeting.status === 'invalid') return this.close(send, greeting.reason, null)
      this.pending = this.pending.subarray(greeting.length)
      if (!greeting.value.methods.includes(SocksMethod.noAuthentication)) {
        send.push(encodeMethodSelection(SocksMethod.noAcceptableMethods))
        return this.close(send, 'client offers no acceptable authentication method', SocksMethod.noAcceptableMethods)
      }
      send.push(encodeMethodSelection(SocksMethod.noAuthentication))
      this.phase = 'request'
    }
    const parsed = parseRequest(this.pending)
    if (parsed.status === 'incomplete') {
      if (this.pending.length > SOCKS_REQUEST_MAX_BYTES) throw new Error('unreachable: incomplete request longer than its maximum')
      // Keep only what is needed, not a view that pins a large chunk.
      this.pending = Buffer.from(this.pending)
      return { send, result: { kind: 'more' } }
    }
    if (parsed.status === 'invalid') return this.reply(send, parsed.reply ?? SocksReply.generalFailure, parsed.reason)
    const request = parsed.value
    const early = Buffer.from(this.pending.subarray(parsed.length))
    if (request.command !== SocksCommand.connect) return this.reply(send, SocksReply.commandNotSupported, `command ${request.command} is not supported (CONNECT only)`)
    const decision = phantomTargetFor(request.address, request.port, this.options.lookupName)
    if (!decision.allowed) return this.reply(send, SocksReply.notAllowedByRuleset, decision.reason)
    if (early.length > this.maxEarlyDataBytes) return this.reply(send, SocksReply.generalFailure, `client sent ${early.length} bytes before its reply (limit ${this.maxEarlyDataBytes})`)
    this.phase = 'done'
    this.pending = Buffer.alloc(0)
    return { send, result: { kind: 'connect', target: decision.target, request, early } }
  }

  /** What to send a client that stalled: a failure reply once a method is agreed, nothing before. */
  abandon (): Buffer | undefined {
    const answer = this.phase === 'request' ? encodeReply(SocksReply.generalFailure) : undefined
    this.phase = 'done'
    this.pending = Buffer.alloc(0)
    return answer
  }

  private reply (send: Buffer[], code: typeof SocksReply[keyof typeof SocksReply], reason: string): SocksHandshakeStep {
    send.push(encodeReply(code))
    return this.close(send, reason, code)
  }

  private close (send: Buffer[], reason: string, reply: number | null): SocksHandshakeStep {
    this.phase = 'done'
    this.pending = Buffer.alloc(0)
    return { send, result: { kind: 'close', reason, reply } }
  }
}
