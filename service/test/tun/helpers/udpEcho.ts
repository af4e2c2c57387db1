/**
 * Test helper, run inside a network namespace by the IPv4 translator test:
 *   node udpEcho.js --port 8080
 *     binds UDP [::]:port (dual stack), prints {"event":"listening"}, then for every datagram
 *     {"event":"datagram","remote":…,"data":…} and sends it back to where it came from
 */
import { createSocket } from 'node:dgram'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } })
const socket = createSocket({ type: 'udp6' })
socket.on('error', (error: NodeJS.ErrnoException) => { process.stdout.write(JSON.stringify({ event: 'error', code: error.code }) + '\n'); process.exit(2) })
socket.on('message', (message, remote) => {
  process.stdout.write(JSON.stringify({ event: 'datagram', remote: remote.address, data: message.toString() }) + '\n')
  socket.send(message, remote.port, remote.address)
})
socket.bind(Number(values.port), '::', () => { process.stdout.write(JSON.stringify({ event: 'listening' }) + '\n') })
process.stdin.on('end', () => { socket.close(); process.exit(0) })
process.stdin.resume()
