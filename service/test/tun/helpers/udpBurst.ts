/**
 * Test helper: sends --count UDP datagrams to [--target]:--port as fast as the
 * socket takes them, each carrying its sequence number (u32) and then prints
 * {"event":"sent","count":N}. Run inside the test namespace.
 */
import { createSocket } from 'node:dgram'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    target: { type: 'string', default: 'fd50::2' },
    port: { type: 'string', default: '9999' }
  }
})
const count = Number(values.count)
const port = Number(values.port)
const socket = createSocket('udp6')
let done = 0
let failed = 0
for (let seq = 0; seq < count; seq++) {
  const datagram = Buffer.alloc(32)
  datagram.writeUInt32BE(seq, 0)
  socket.send(datagram, port, values.target, (error) => {
    if (error !== null) failed++
    if (++done === count) {
      process.stdout.write(JSON.stringify({ event: 'sent', count: count - failed, failed }) + '\n')
      socket.close()
    }
  })
}
