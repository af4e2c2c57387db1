import { once } from 'node:events'
import { createServer, type Server } from 'node:net'

/** A TCP echo server on 127.0.0.1 at a free port, for a node's `services` to point at. */
export async function startLocalEchoServer (): Promise<{ server: Server, port: number }> {
  const server = createServer((socket) => { socket.pipe(socket) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as { port: number }).port }
}
