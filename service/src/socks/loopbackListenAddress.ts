import { isIPv4, isIPv6 } from 'node:net'

/** A socket address to listen on: a literal IP address and a port. */
export interface ListenAddress {
  host: string
  port: number
}

export class ListenAddressError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ListenAddressError'
  }
}

/**
 * "HOST:PORT" with a literal address: "127.0.0.1:9080", "[::1]:9080". No host
 * names (nothing is ever resolved to decide where to listen). Port 0 asks the
 * kernel for a free port (tests).
 */
export function parseListenAddress (text: string): ListenAddress {
  if (typeof text !== 'string' || text.length > 64) throw new ListenAddressError(`invalid listen address ${JSON.stringify(String(text).slice(0, 64))}: expected HOST:PORT`)
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(text)
  const v6 = match?.[1]
  const v4 = match?.[2]
  const host = v6 ?? v4
  const port = Number(match?.[3])
  const literal = v6 !== undefined ? isIPv6(v6) : v4 !== undefined && isIPv4(v4)
  if (match === null || host === undefined || !literal || port > 0xffff) {
    throw new ListenAddressError(`invalid listen address ${JSON.stringify(text)}: expected IPV4:PORT or [IPV6]:PORT with a literal address and a port 0..65535`)
  }
  return { host, port }
}

/** 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
export function isLoopbackAddress (host: string): boolean {
  if (isIPv4(host)) return host.split('.')[0] === '127'
  if (!isIPv6(host)) return false
  const lower = host.toLowerCase()
  if (/^(0{0,4}:){2,7}0{0,3}1$/.test(lower) || lower === '::1') return true
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  return mapped !== null && isLoopbackAddress(mapped[1] as string)
}

/** Throws unless the address is on loopback or `allowNonLoopback` is set explicitly. */
export function assertLoopbackUnlessAllowed (address: ListenAddress, allowNonLoopback: boolean, what: string): void {
  if (!allowNonLoopback && !isLoopbackAddress(address.host)) {
    throw new ListenAddressError(`${what} refuses to listen on ${address.host}: not a loopback address (set the explicit non-loopback option to allow it)`)
  }
}

export function formatListenAddress (address: ListenAddress): string {
  return isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}
