import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { once } from 'node:events'
import { randomBytes } from '../../src/crypto/index.js'

/**
 * An HTTP server on 127.0.0.1 serving one file of `size` random bytes at
 * /file (generated once, kept in memory), with its sha256.
 */
export async function startBulkHttpServer (size: number): Promise<{ server: Server, port: number, sha256: string }> {
  const body = randomBytes(size)
  const sha256 = createHash('sha256').update(body).digest('hex')
  const server = createServer((req, res) => {
    if (req.url !== '/file') { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.byteLength) })
    res.end(body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as { port: number }).port, sha256 }
}
