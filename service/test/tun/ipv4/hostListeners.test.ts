import assert from 'node:assert/strict'
import { parseProcNetSockets, ProcNetListeners } from '../../../src/tun/ipv4/hostListeners.js'
import { ManualClock } from '../helpers/routerPair.js'
import { addr } from '../helpers/routerTestPackets.js'
import { v4 } from '../helpers/ipv4TestPackets.js'

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'
const line4 = (n: number, address: string, port: number, state: string): string =>
  `   ${n}: ${address}:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000     0        0 1234 1\n`
const line6 = (n: number, address: string, port: number, state: string): string =>
  `   ${n}: ${address}:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000000000000000000000000000:0000 ${state} 00000000:00000000 00:00000000 00000000     0        0 1234 1\n`
/** fd50::b as /proc prints it on a little-endian host: each 32-bit word byte-reversed. */
const AP_B_PROC = '000050FD' + '00000000' + '00000000' + '0B000000'
const OWN4_PROC = '01004064' // 100.64.0.1
const ZERO6 = '0'.repeat(32)

describe('tun/ipv4: which family the host\'s services listen in (/proc/net)', () => {
  it('parses local addresses (host-order words back to network order), ports and states, skipping the header and junk', () => {
    const sockets = parseProcNetSockets(HEADER + line4(0, '0100007F', 8080, '0A') + 'garbage line\n' + line6(1, AP_B_PROC, 53, '07'), true)
    assert.deepEqual(sockets.map((s) => [s.address.toString('hex'), s.port, s.state]), [['7f000001', 8080, 0x0a], ['fd50000000000000000000000000000b', 53, 7]])
    assert.equal(parseProcNetSockets(line4(0, '7F000001', 1, '0A'), false)[0]?.address.toString('hex'), '7f000001', 'a big-endian host prints network order')
  })

  it('IPv6 on :: or our AP address wins; only 0.0.0.0 or our IPv4 address → ipv4-only; loopback, other states or nothing → none; cached 2 s', () => {
    const tables: Record<string, string> = {
      '/p/tcp': HEADER + line4(0, '00000000', 80, '0A') + line4(1, OWN4_PROC, 81, '0A') + line4(2, '0100007F', 82, '0A') + line4(3, '00000000', 83, '01') + line4(4, '00000000', 84, '0A'),
      '/p/tcp6': HEADER + line6(0, ZERO6, 84, '0A') + line6(1, AP_B_PROC, 85, '0A'),
      '/p/udp': HEADER + line4(0, '00000000', 53, '07'),
      '/p/udp6': HEADER
    }
    let reads = 0
    const clock = new ManualClock()
    const listeners = new ProcNetListeners(v4('100.64.0.1'), addr('fd50::b'), '/p', (path) => {
      reads++
      const text = tables[path]
      if (text === undefined) throw new Error('ENOENT')
      return text
    }, clock.now)
    assert.deepEqual([80, 81, 82, 83, 84, 85, 86].map((port) => listeners.familyOf('tcp', port)),
      ['ipv4-only', 'ipv4-only', 'none', 'none', 'ipv6', 'ipv6', 'none'])
    assert.equal(listeners.familyOf('udp', 53), 'ipv4-only')
    const before = reads
    assert.equal(listeners.familyOf('tcp', 80), 'ipv4-only')
    assert.equal(reads, before, 'answered from the cache')
    tables['/p/tcp6'] += line6(2, ZERO6, 80, '0A')
    clock.advance(2001)
    assert.equal(listeners.familyOf('tcp', 80), 'ipv6', 'read again after 2 s')
  })

  it('reads this machine\'s real tables without failing', () => {
    const listeners = new ProcNetListeners(v4('100.64.0.1'), addr('fd50::b'))
    assert.ok(['ipv6', 'ipv4-only', 'none'].includes(listeners.familyOf('tcp', 1)))
  })
})
