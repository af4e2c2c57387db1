/**
 * The client half of SOCKS5 (RFC 1928) with username/password authentication
 * (RFC 1929), pure: bytes <-> values. Request and greeting encoders come from
 * the node's own SOCKS codec; this file adds what a client must parse (the
 * proxy's answers, untrusted) and the RFC 1929 sub-negotiation. Parsers look at
 * the bytes received so far and say complete / incomplete / invalid, never read
 * past the message, and bound every field.
 */
import { SOCKS_VERSION, SocksAddressType } from '../../../src/socks/socksConstants.js'
import type { SocksAddress } from '../../../src/socks/socksCodec.js'

/** RFC 1929 method number and sub-negotiation version. */
export const SOCKS_METHOD_USERNAME_PASSWORD = 0x02
export const USERPASS_VERSION = 0x01

export type ClientParse<T> =
  | { status: 'incomplete' }
  | { status: 'complete', value: T, length: number }
  | { status: 'invalid', reason: string }

const INCOMPLETE = { status: 'incomplete' } as const

/** VER METHOD: the method the proxy chose (0xff: none acceptable). */
export function parseMethodSelection (bytes: Uint8Array): ClientParse<number> {
  if (bytes.length < 1) return INCOMPLETE
  if (bytes[0] !== SOCKS_VERSION) return { status: 'invalid', reason: `method selection: version ${bytes[0] as number} is not 5` }
  if (bytes.length < 2) return INCOMPLETE
  return { status: 'complete', value: bytes[1] as number, length: 2 }
}

/** VER ULEN UNAME PLEN PASSWD (RFC 1929 §2); each field 1–255 bytes. */
export function encodeUserPassAuth (username: string, password: string): Buffer {
  const user = Buffer.from(username, 'utf8')
  const pass = Buffer.from(password, 'utf8')
  if (user.length < 1 || user.length > 255 || pass.length < 1 || pass.length > 255) throw new RangeError('username and password must be 1–255 bytes')
  return Buffer.concat([Buffer.from([USERPASS_VERSION, user.length]), user, Buffer.from([pass.length]), pass])
}

/** VER STATUS: true when the proxy accepted the credentials (status 0). */
export function parseUserPassReply (bytes: Uint8Array): ClientParse<boolean> {
  if (bytes.length < 1) return INCOMPLETE
  if (bytes[0] !== USERPASS_VERSION) return { status: 'invalid', reason: `auth reply: version ${bytes[0] as number} is not 1` }
  if (bytes.length < 2) return INCOMPLETE
  return { status: 'complete', value: bytes[1] === 0, length: 2 }
}

export interface ConnectReply {
  /** REP: 0 succeeded, otherwise the RFC 1928 §6 failure code (tor uses the same codes). */
  reply: number
  bound: SocksAddress
  port: number
}

/** VER REP RSV ATYP BND.ADDR BND.PORT (RFC 1928 §6). */
export function parseConnectReply (bytes: Uint8Array): ClientParse<ConnectReply> {
  if (bytes.length < 1) return INCOMPLETE
  if (bytes[0] !== SOCKS_VERSION) return { status: 'invalid', reason: `reply: version ${bytes[0] as number} is not 5` }
  if (bytes.length < 4) return INCOMPLETE
  const reply = bytes[1] as number
  if (bytes[2] !== 0x00) return { status: 'invalid', reason: `reply: reserved byte ${bytes[2] as number} is not 0` }
  const type = bytes[3] as number
  let addressLength: number
  let start = 4
  if (type === SocksAddressType.ipv4) addressLength = 4
  else if (type === SocksAddressType.ipv6) addressLength = 16
  else if (type === SocksAddressType.domainName) {
    if (bytes.length < 5) return INCOMPLETE
    addressLength = bytes[4] as number
    start = 5
  } else return { status: 'invalid', reason: `reply: unknown address type ${type}` }
  const length = start + addressLength + 2
  if (bytes.length < length) return INCOMPLETE
  const raw = Buffer.from(bytes.subarray(start, start + addressLength))
  const bound: SocksAddress = type === SocksAddressType.ipv4
    ? { type: 'ipv4', bytes: raw }
    : type === SocksAddressType.ipv6 ? { type: 'ipv6', bytes: raw } : { type: 'domain', name: raw }
  const port = ((bytes[start + addressLength] as number) << 8) | (bytes[start + addressLength + 1] as number)
  return { status: 'complete', value: { reply, bound, port }, length }
}

/** Human-readable RFC 1928 §6 reply code (tor's extended codes included). */
export function socksReplyName (code: number): string {
  const names: Record<number, string> = {
    0: 'succeeded',
    1: 'general failure',
    2: 'not allowed by ruleset',
    3: 'network unreachable',
    4: 'host unreachable',
    5: 'connection refused',
    6: 'TTL expired',
    7: 'command not supported',
    8: 'address type not supported',
    0xf0: 'onion service descriptor not found',
    0xf1: 'onion service descriptor invalid',
    0xf2: 'onion service introduction failed',
    0xf3: 'onion service rendezvous failed',
    0xf4: 'onion service missing client authorization',
    0xf5: 'onion service wrong client authorization',
    0xf6: 'invalid onion address',
    0xf7: 'onion service introduction timed out'
  }
  return names[code] ?? `code ${code}`
}
