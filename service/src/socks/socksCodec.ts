import { ByteWriter } from '../wire/byteWriter.js'
import {
  SOCKS_VERSION, SocksAddressType, SocksReply, type SocksReplyCode
} from './socksConstants.js'

/**
 * RFC 1928 messages <-> values. Pure and incremental: every parser looks at the
 * bytes received so far (any chunking) and says whether they hold a complete
 * message, need more bytes, or can never become valid. Parsers never read
 * beyond the message, so the caller keeps whatever follows it.
 */

export type SocksAddress =
  | { type: 'ipv4', bytes: Buffer }
  | { type: 'ipv6', bytes: Buffer }
  | { type: 'domain', name: Buffer }

export interface SocksGreeting {
  methods: number[]
}

export interface SocksRequest {
  command: number
  address: SocksAddress
  port: number
}

export type SocksParse<T> =
  | { status: 'incomplete' }
  | { status: 'complete', value: T, length: number }
  /** `reply` is the REP code to answer with, or null where the protocol has no way to answer. */
  | { status: 'invalid', reply: SocksReplyCode | null, reason: string }

const INCOMPLETE = { status: 'incomplete' } as const

/** VER NMETHODS METHODS… (RFC 1928 §3). NMETHODS 0 parses as an empty list: the caller answers "no acceptable methods". */
export function parseGreeting (bytes: Uint8Array): SocksParse<SocksGreeting> {
  if (bytes.length < 1) return INCOMPLETE
  if (bytes[0] !== SOCKS_VERSION) return { status: 'invalid', reply: null, reason: `greeting: version ${bytes[0] as number} is not 5` }
  if (bytes.length < 2) return INCOMPLETE
  const count = bytes[1] as number
  const length = 2 + count
  if (bytes.length < length) return INCOMPLETE
  return { status: 'complete', value: { methods: Array.from(bytes.subarray(2, length)) }, length }
}

/** VER CMD RSV ATYP DST.ADDR DST.PORT (RFC 1928 §4). Any CMD value parses; the caller decides which it serves. */
export function parseRequest (bytes: Uint8Array): SocksParse<SocksRequest> {
  if (bytes.length < 1) return INCOMPLETE
  if (bytes[0] !== SOCKS_VERSION) return { status: 'invalid', reply: SocksReply.generalFailure, reason: `request: version ${bytes[0] as number} is not 5` }
  if (bytes.length < 3) return INCOMPLETE
  if (bytes[2] !== 0x00) return { status: 'invalid', reply: SocksReply.generalFailure, reason: `request: reserved byte is ${bytes[2] as number}, not 0` }
  if (bytes.length < 4) return INCOMPLETE
  const command = bytes[1] as number
  const type = bytes[3] as number
  let addressEnd: number
  switch (type) {
    case SocksAddressType.ipv4: addressEnd = 4 + 4; break
    case SocksAddressType.ipv6: addressEnd = 4 + 16; break
    case SocksAddressType.domainName: {
      if (bytes.length < 5) return INCOMPLETE
      const nameLength = bytes[4] as number
      if (nameLength === 0) return { status: 'invalid', reply: SocksReply.generalFailure, reason: 'request: empty domain name' }
      addressEnd = 5 + nameLength
      break
    }
    default:
      return { status: 'invalid', reply: SocksReply.addressTypeNotSupported, reason: `request: address type ${type} is not supported` }
  }
  const length = addressEnd + 2
  if (bytes.length < length) return INCOMPLETE
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let address: SocksAddress
  if (type === SocksAddressType.ipv4) address = { type: 'ipv4', bytes: Buffer.from(view.subarray(4, 8)) }
  else if (type === SocksAddressType.ipv6) address = { type: 'ipv6', bytes: Buffer.from(view.subarray(4, 20)) }
  else address = { type: 'domain', name: Buffer.from(view.subarray(5, addressEnd)) }
  return { status: 'complete', value: { command, address, port: view.readUInt16BE(addressEnd) }, length }
}

function writeAddress (writer: ByteWriter, address: SocksAddress): void {
  switch (address.type) {
    case 'ipv4':
      if (address.bytes.length !== 4) throw new RangeError('IPv4 address must be 4 bytes')
      writer.u8(SocksAddressType.ipv4).bytes(address.bytes)
      break
    case 'ipv6':
      if (address.bytes.length !== 16) throw new RangeError('IPv6 address must be 16 bytes')
      writer.u8(SocksAddressType.ipv6).bytes(address.bytes)
      break
    case 'domain':
      if (address.name.length < 1 || address.name.length > 255) throw new RangeError('domain name must be 1..255 bytes')
      writer.u8(SocksAddressType.domainName).bytes8(address.name)
      break
  }
}

function assertPort (port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`invalid port ${port}`)
}

/** The server's method selection: VER METHOD. */
export function encodeMethodSelection (method: number): Buffer {
  return Buffer.from([SOCKS_VERSION, method])
}

/** The unspecified IPv6 address `::`, port 0: the bound address of every reply. */
export const UNSPECIFIED_BOUND_ADDRESS: SocksAddress = { type: 'ipv6', bytes: Buffer.alloc(16) }

/** VER REP RSV ATYP BND.ADDR BND.PORT (RFC 1928 §6). */
export function encodeReply (reply: SocksReplyCode, bound: SocksAddress = UNSPECIFIED_BOUND_ADDRESS, port = 0): Buffer {
  assertPort(port)
  const writer = new ByteWriter(32).u8(SOCKS_VERSION).u8(reply).u8(0x00)
  writeAddress(writer, bound)
  return writer.u16(port).finish()
}

/** Client side, for tests and tools: VER NMETHODS METHODS. */
export function encodeGreeting (methods: readonly number[]): Buffer {
  if (methods.length > 255) throw new RangeError('at most 255 methods')
  return new ByteWriter(2 + methods.length).u8(SOCKS_VERSION).u8(methods.length).bytes(Buffer.from(methods)).finish()
}

/** Client side, for tests and tools: VER CMD RSV ATYP DST.ADDR DST.PORT. */
export function encodeRequest (request: SocksRequest): Buffer {
  assertPort(request.port)
  const writer = new ByteWriter(32).u8(SOCKS_VERSION).u8(request.command).u8(0x00)
  writeAddress(writer, request.address)
  return writer.u16(request.port).finish()
}
