import { SocksReply, type SocksReplyCode } from './socksConstants.js'

/** Why a connection to an AP address failed, as the injected `connect` reports it. */
export type PhantomConnectFailure = 'host-unreachable' | 'connection-refused' | 'network-unreachable' | 'general-failure'

/**
 * The error an injected `connect` throws to choose the SOCKS reply: the target's
 * AP record or entry paths cannot be found or reached → host-unreachable; the
 * target refused the port → connection-refused; no exit path could be built →
 * network-unreachable.
 */
export class PhantomConnectError extends Error {
  constructor (readonly failure: PhantomConnectFailure, message: string = failure) {
    super(message)
    this.name = 'PhantomConnectError'
  }
}

const REPLY_FOR_FAILURE: Record<PhantomConnectFailure, SocksReplyCode> = {
  'host-unreachable': SocksReply.hostUnreachable,
  'connection-refused': SocksReply.connectionRefused,
  'network-unreachable': SocksReply.networkUnreachable,
  'general-failure': SocksReply.generalFailure
}

/** Node socket error codes, for a `connect` that hands back plain sockets (tests, local services). */
const REPLY_FOR_ERRNO: Record<string, SocksReplyCode> = {
  ECONNREFUSED: SocksReply.connectionRefused,
  EHOSTUNREACH: SocksReply.hostUnreachable,
  ETIMEDOUT: SocksReply.hostUnreachable,
  ENETUNREACH: SocksReply.networkUnreachable
}

/** The REP code for an error from `connect`: typed failures and socket errno codes map, anything else is a general failure. */
export function replyForConnectError (error: unknown): SocksReplyCode {
  if (error instanceof PhantomConnectError) return REPLY_FOR_FAILURE[error.failure] ?? SocksReply.generalFailure
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && Object.hasOwn(REPLY_FOR_ERRNO, code)) return REPLY_FOR_ERRNO[code] as SocksReplyCode
  return SocksReply.generalFailure
}
