import { isLoopbackAddress, ListenAddressError, parseListenAddress } from '../socks/loopbackListenAddress.js'

/** Where a configured socket address may point: 'loopback' for listeners without authentication, 'any' for targets. */
export type SocketAddressRole = 'loopback' | 'any'

export const SOCKET_ADDRESS_ROLES: readonly SocketAddressRole[] = ['loopback', 'any']

/** What is wrong with `text` as "HOST:PORT" (literal address) for `role`, or undefined when it is fine. */
export function socketAddressProblem (text: string, role: SocketAddressRole): string | undefined {
  const example = role === 'loopback' ? '127.0.0.1:9080 or [::1]:9080' : '127.0.0.1:8080 or [fd00::5]:80'
  let parsed: { host: string, port: number }
  try {
    parsed = parseListenAddress(text)
  } catch (err) {
    if (!(err instanceof ListenAddressError)) throw err
    return `expected HOST:PORT with a literal IP address, such as ${example}, got ${JSON.stringify(text.slice(0, 64))}`
  }
  if (parsed.port === 0) return `expected a port from 1 to 65535, got ${JSON.stringify(text)}`
  if (role === 'loopback' && !isLoopbackAddress(parsed.host)) return `expected a loopback address (127.0.0.0/8 or ::1; the proxy has no authentication), got ${JSON.stringify(text)}`
  return undefined
}
