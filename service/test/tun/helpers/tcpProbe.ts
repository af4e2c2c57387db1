/**
 * Test helper, run inside a network namespace by the router system test:
 *   node tcpProbe.js --listen --address fd50::b --port 8080
 *     prints {"event":"listening"}, then {"event":"accepted"} per connection, echoing what it reads
 *   node tcpProbe.js --connect --address fd50::b --port 8080
 *     prints {"event":"connected"}, sends a line, prints {"event":"echoed","data":…} and exits,
 *     or {"event":"error","code":…} when the connection fails
 */
import { createConnection, createServer } from 'node:net'
import { parseArgs } from 'node:util'

function say (event: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(event) + '\n')
}

const { values } = parseArgs({
  options: {
    listen: { type: 'boolean', default: false },
    connect: { type: 'boolean', default: false },
    address: { type: 'string', default: '::' },
    port: { type: 'string', default: '8080' }
  }
})
const port = Number(values.port)
const address = values.address ?? '::'

if (values.listen) {
  const server = createServer((socket) => {
    say({ event: 'accepted', remote: socket.remoteAddress })
    socket.on('error', () => {})
    socket.pipe(socket)
  })
  server.on('error', (error: NodeJS.ErrnoException) => { say({ event: 'error', code: error.code }); process.exit(2) })
  server.listen(port, address, () => { say({ event: 'listening' }) })
  process.stdin.on('end', () => { server.close(); process.exit(0) })
  process.stdin.resume()
} else if (values.connect) {
  const message = 'hello over phantom0\n'
  const socket = createConnection({ host: address, port })
  let received = ''
  socket.setEncoding('utf8')
  socket.on('connect', () => { say({ event: 'connected' }); socket.write(message) })
  socket.on('data', (chunk: string) => {
    received += chunk
    if (received.length >= message.length) {
      say({ event: 'echoed', data: received })
      socket.end()
    }
  })
  socket.on('error', (error: NodeJS.ErrnoException) => { say({ event: 'error', code: error.code }); process.exitCode = 1 })
  socket.on('close', () => { process.exit() })
} else {
  say({ event: 'error', code: 'usage' })
  process.exitCode = 2
}
