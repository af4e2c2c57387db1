/**
 * A bare TCP forwarder, one hop of the relay-chain transport (the cost of the
 * comparison's topology and of the Node.js runtime alone: no crypto, no
 * multiplexing, no framing), started inside the namespace that hosts it:
 *   node tcpForwarder.js --listen HOST:PORT --to HOST:PORT   (--listen port 0: any free port)
 * Every accepted connection gets its own connection to --to; bytes are piped
 * both ways as they come (Nagle off, back-pressure through pipe()), a
 * half-close is passed on, an error or reset on either side closes both.
 * Prints {"event":"listening",...} once bound, one JSON line; exits when stdin
 * closes (so it never outlives the runner).
 */
import { connect, createServer, type Socket } from 'node:net'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { listen: { type: 'string' }, to: { type: 'string' } } })

/** "HOST:PORT" or "[V6]:PORT" → host and port (port 0 only where `anyPort`); null on anything else. */
function parseHostPort (text: string | undefined, anyPort: boolean): { host: string, port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text ?? '')
  const port = Number(m?.[3])
  if (m === null || port > 65535 || (port === 0 && !anyPort)) return null
  return { host: m[1] ?? m[2] as string, port }
}

/** Says what went wrong as its one JSON line (the runner reads it) and exits. */
function fail (message: string): never {
  process.stdout.write(JSON.stringify({ event: 'error', message }) + '\n')
  process.exit(2)
}

function forward (inbound: Socket, to: { host: string, port: number }): void {
  const outbound = connect({ host: to.host, port: to.port, noDelay: true, allowHalfOpen: true })
  const closeBoth = (): void => { inbound.destroy(); outbound.destroy() }
  for (const s of [inbound, outbound]) {
    s.on('error', closeBoth)
    s.on('close', closeBoth)
  }
  // pipe() ends the destination's writable side when the source ends: a half-close travels on
  inbound.pipe(outbound)
  outbound.pipe(inbound)
}

const listen = parseHostPort(values.listen, true) ?? fail(`--listen must be HOST:PORT or [IPv6]:PORT (port 0: any free port), got ${String(values.listen)}`)
const to = parseHostPort(values.to, false) ?? fail(`--to must be HOST:PORT or [IPv6]:PORT with a port of 1-65535, got ${String(values.to)}`)
const server = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => { forward(socket, to) })
server.on('error', (error) => { fail(error.message) })
server.listen({ host: listen.host, port: listen.port }, () => {
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : listen.port
  process.stdout.write(JSON.stringify({ event: 'listening', host: listen.host, port, to: values.to, pid: process.pid }) + '\n')
})
process.stdin.on('data', () => {})
process.stdin.on('end', () => { process.exit(0) })
