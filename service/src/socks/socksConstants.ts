/** RFC 1928 constants (SOCKS protocol version 5). */
export const SOCKS_VERSION = 0x05

/** Authentication methods (RFC 1928 §3). Only NO AUTHENTICATION is offered: the proxy listens on loopback only. */
export const SocksMethod = {
  noAuthentication: 0x00,
  noAcceptableMethods: 0xff
} as const

/** Request commands (RFC 1928 §4). Only CONNECT is served. */
export const SocksCommand = {
  connect: 0x01,
  bind: 0x02,
  udpAssociate: 0x03
} as const

/** Address types (RFC 1928 §5). */
export const SocksAddressType = {
  ipv4: 0x01,
  domainName: 0x03,
  ipv6: 0x04
} as const

/** Reply field REP (RFC 1928 §6). */
export const SocksReply = {
  succeeded: 0x00,
  generalFailure: 0x01,
  notAllowedByRuleset: 0x02,
  networkUnreachable: 0x03,
  hostUnreachable: 0x04,
  connectionRefused: 0x05,
  ttlExpired: 0x06,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08
} as const

export type SocksReplyCode = typeof SocksReply[keyof typeof SocksReply]

/** Greeting: VER, NMETHODS, up to 255 METHODS. */
export const SOCKS_GREETING_MAX_BYTES = 2 + 255
/** Request: VER, CMD, RSV, ATYP, up to 1 + 255 address bytes (domain), PORT. */
export const SOCKS_REQUEST_MAX_BYTES = 4 + 1 + 255 + 2
/** Everything a client may send before it receives its reply, bytes after the request excluded. */
export const SOCKS_HANDSHAKE_MAX_BYTES = SOCKS_GREETING_MAX_BYTES + SOCKS_REQUEST_MAX_BYTES
