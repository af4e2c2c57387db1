/**
 * A minimal SOCKS5 CONNECT client for the benchmarks: opens a TCP connection
 * to the proxy, negotiates (no authentication, or username/password when
 * credentials are given — tor isolates circuits by credentials), asks for
 * host:port and resolves with the socket once the proxy reports success. Any
 * bytes that arrived after the reply are pushed back onto the socket.
 * The socket is returned paused: attach listeners, then `resume()`.
 * Bounded: the whole handshake must finish within `timeoutMs`, and the proxy's
 * answers are parsed strictly (no more than 262 bytes are ever buffered).
 */
import { connect, isIP, type Socket } from 'node:net'
import { encodeGreeting, encodeRequest, type SocksAddress } from '../../../src/socks/socksCodec.js'
import { SocksCommand, SocksMethod } from '../../../src/socks/socksConstants.js'
import {
  encodeUserPassAuth, parseConnectReply, parseMethodSelection, parseUserPassReply,
  socksReplyName, SOCKS_METHOD_USERNAME_PASSWORD, type ClientParse
} from './socks5ClientCodec.js'

export interface Socks5ConnectOptions {
  proxyHost: string
  proxyPort: number
  host: string
  port: number
  credentials?: { username: string, password: string }
  timeoutMs?: number
}

export class Socks5Error extends Error {
  constructor (message: string, readonly reply?: number) {
    super(message)
    this.name = 'Socks5Error'
  }
}

const MAX_REPLY_BYTES = 4 + 1 + 255 + 2

/** The SOCKS address for a host: IPv4/IPv6 literal or a domain name (e.g. an onion address). */
export function socksAddressFor (host: string): SocksAddress {
  const family = isIP(host)
  if (family === 4) return { type: 'ipv4', bytes: Buffer.from(host.split('.').map(Number)) }
  if (family === 6) return { type: 'ipv6', bytes: ipv6Bytes(host) }
  const name = Buffer.from(host, 'utf8')
  if (name.length < 1 || name.length > 255) throw new RangeError(`host name of ${name.length} bytes`)
  return { type: 'domain', name }
}

function ipv6Bytes (text: string): Buffer {
  const [head = '', tail = ''] = text.split('::')
  const groups = (s: string): number[] => s === '' ? [] : s.split(':').map((g) => parseInt(g, 16))
  const h = groups(head)
  const t = text.includes('::') ? groups(tail) : []
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t]
  const out = Buffer.alloc(16)
  all.forEach((g, i) => out.writeUInt16BE(g, 2 * i))
  return out
}

export async function socks5Connect (options: Socks5ConnectOptions): Promise<Socket> {
  const timeoutMs = options.timeoutMs ?? 60_000
  const socket = connect({ host: options.proxyHost, port: options.proxyPort })
  socket.setNoDelay(true)
  let buffered: Buffer = Buffer.alloc(0)
  let wake: (() => void) | null = null
  let failure: Error | null = null
  const onData = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk])
    if (buffered.length > MAX_REPLY_BYTES * 2) failure = new Socks5Error('proxy sent more than a handshake')
    wake?.()
  }
  const onEnd = (): void => { failure ??= new Socks5Error('proxy closed the connection during the handshake'); wake?.() }
  const onError = (error: Error): void => { failure ??= error; wake?.() }
  socket.on('data', onData)
  socket.on('end', onEnd)
  socket.on('error', onError)
  const timer = setTimeout(() => { failure ??= new Socks5Error(`SOCKS handshake timed out after ${timeoutMs} ms`); wake?.() }, timeoutMs)

  async function next<T> (parse: (bytes: Uint8Array) => ClientParse<T>): Promise<T> {
    for (;;) {
      if (failure !== null) throw failure
      const parsed = parse(buffered)
      if (parsed.status === 'complete') {
        buffered = buffered.subarray(parsed.length)
        return parsed.value
      }
      if (parsed.status === 'invalid') throw new Socks5Error(parsed.reason)
      await new Promise<void>((resolve) => { wake = resolve })
      wake = null
    }
  }

  try {
    const method = options.credentials !== undefined ? SOCKS_METHOD_USERNAME_PASSWORD : SocksMethod.noAuthentication
    socket.write(encodeGreeting([method]))
    const chosen = await next(parseMethodSelection)
    if (chosen !== method) throw new Socks5Error(`proxy chose method ${chosen}, not ${method}`)
    if (options.credentials !== undefined) {
      socket.write(encodeUserPassAuth(options.credentials.username, options.credentials.password))
      if (!await next(parseUserPassReply)) throw new Socks5Error('proxy rejected the credentials')
    }
    socket.write(encodeRequest({ command: SocksCommand.connect, address: socksAddressFor(options.host), port: options.port }))
    const reply = await next(parseConnectReply)
    if (reply.reply !== 0) throw new Socks5Error(`CONNECT ${options.host}:${options.port} failed: ${socksReplyName(reply.reply)}`, reply.reply)
  } catch (error) {
    socket.destroy()
    throw error
  } finally {
    clearTimeout(timer)
    socket.off('data', onData)
    socket.off('end', onEnd)
    socket.off('error', onError)
  }
  socket.pause()
  if (buffered.length > 0) socket.unshift(buffered)
  return socket
}
