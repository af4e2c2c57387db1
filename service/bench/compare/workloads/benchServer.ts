/**
 * The bench server (echo / download / first byte, see benchProtocol.ts),
 * started by a transport inside the namespace that hosts it:
 *   node benchServer.js --host 127.0.0.1 --port 7000
 * Prints {"event":"listening","port":N,...} once bound (--port 0: any free port), one JSON line; exits when stdin
 * closes (so it never outlives the runner).
 */
import { createServer, type Socket } from 'node:net'
import { parseArgs } from 'node:util'
import { BenchMode, DOWNLOAD_CHUNK_BYTES } from './benchProtocol.js'

const { values } = parseArgs({ options: { host: { type: 'string', default: '::' }, port: { type: 'string', default: '7000' } } })
const pattern = Buffer.alloc(DOWNLOAD_CHUNK_BYTES)
for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 131 + 7) & 0xff

function download (socket: Socket): void {
  const pump = (): void => {
    while (!socket.destroyed && socket.write(pattern)) { /* until the kernel buffer is full */ }
  }
  socket.on('drain', pump)
  pump()
}

function serve (socket: Socket): void {
  socket.setNoDelay(true)
  socket.on('error', () => { socket.destroy() })
  socket.once('data', (first: Buffer) => {
    const mode = first[0]
    const rest = first.subarray(1)
    if (mode === BenchMode.echo) {
      if (rest.length > 0) socket.write(rest)
      socket.on('data', (chunk: Buffer) => { socket.write(chunk) })
    } else if (mode === BenchMode.download) {
      socket.on('data', () => {})
      download(socket)
    } else if (mode === BenchMode.firstByte) {
      socket.end(Buffer.from([BenchMode.firstByte]))
    } else {
      socket.destroy()
    }
  })
}

const server = createServer({ noDelay: true }, serve)
server.on('error', (error) => {
  process.stdout.write(JSON.stringify({ event: 'error', message: error.message }) + '\n')
  process.exit(2)
})
server.listen({ host: values.host, port: Number(values.port) }, () => {
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : Number(values.port)
  process.stdout.write(JSON.stringify({ event: 'listening', host: values.host, port, pid: process.pid }) + '\n')
})
process.stdin.on('data', () => {})
process.stdin.on('end', () => { process.exit(0) })
