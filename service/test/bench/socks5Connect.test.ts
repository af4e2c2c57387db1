import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { encodeReply } from '../../src/socks/socksCodec.js'
import { SocksReply } from '../../src/socks/socksConstants.js'
import { socks5Connect, Socks5Error } from '../../bench/compare/workloads/socks5Connect.js'

/** A scripted proxy: records what the client sent and answers each expected message with the given bytes, one byte per write. */
async function scriptedProxy (script: (socket: Socket, received: () => Buffer) => Promise<void>): Promise<{ server: Server, port: number }> {
  const server = createServer((socket) => {
    let received = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => { received = Buffer.concat([received, chunk]) })
    socket.on('error', () => {})
    script(socket, () => received).catch(() => { socket.destroy() })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as AddressInfo).port }
}

async function until (condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setImmediate(resolve))
  }
}

async function dribble (socket: Socket, bytes: Buffer): Promise<void> {
  for (const byte of bytes) {
    socket.write(Buffer.from([byte]))
    await new Promise((resolve) => setImmediate(resolve))
  }
}

describe('bench SOCKS5 client', () => {
  it('negotiates username/password and CONNECT byte by byte, and hands over data that followed the reply', async () => {
    let sent: Buffer = Buffer.alloc(0)
    const { server, port } = await scriptedProxy(async (socket, received) => {
      await until(() => received().length >= 3)
      await dribble(socket, Buffer.from([5, 2]))
      await until(() => received().length >= 3 + 1 + 1 + 4 + 1 + 1)
      await dribble(socket, Buffer.from([1, 0]))
      await until(() => received().length >= 3 + 7 + 4 + 1 + 9 + 2)
      sent = received()
      await dribble(socket, Buffer.concat([encodeReply(SocksReply.succeeded), Buffer.from('hello')]))
    })
    try {
      const socket = await socks5Connect({ proxyHost: '127.0.0.1', proxyPort: port, host: 'abc.onion', port: 7000, credentials: { username: 'user', password: 'p' }, timeoutMs: 5000 })
      let data = ''
      socket.on('data', (chunk: Buffer) => { data += chunk.toString() })
      socket.resume()
      await until(() => data === 'hello')
      socket.destroy()
      assert.deepEqual(sent, Buffer.from([5, 1, 2, 1, 4, ...Buffer.from('user'), 1, 0x70, 5, 1, 0, 3, 9, ...Buffer.from('abc.onion'), 0x1b, 0x58]))
    } finally {
      server.close()
    }
  })

  it('reports the proxy\'s failure code, a rejected method and a silent proxy', async () => {
    const refusing = await scriptedProxy(async (socket, received) => {
      await until(() => received().length >= 3)
      socket.write(Buffer.from([5, 0]))
      await until(() => received().length >= 3 + 10)
      socket.write(encodeReply(SocksReply.hostUnreachable))
    })
    const noMethod = await scriptedProxy(async (socket, received) => {
      await until(() => received().length >= 3)
      socket.write(Buffer.from([5, 0xff]))
    })
    const silent = await scriptedProxy(async () => {})
    try {
      await assert.rejects(socks5Connect({ proxyHost: '127.0.0.1', proxyPort: refusing.port, host: '127.0.0.1', port: 1, timeoutMs: 5000 }),
        (e: Socks5Error) => e instanceof Socks5Error && e.reply === SocksReply.hostUnreachable && /host unreachable/.test(e.message))
      await assert.rejects(socks5Connect({ proxyHost: '127.0.0.1', proxyPort: noMethod.port, host: '127.0.0.1', port: 1, timeoutMs: 5000 }), /chose method 255/)
      await assert.rejects(socks5Connect({ proxyHost: '127.0.0.1', proxyPort: silent.port, host: '127.0.0.1', port: 1, timeoutMs: 200 }), /timed out/)
    } finally {
      refusing.server.close(); noMethod.server.close(); silent.server.close()
    }
  })
})
