/**
 * Test helper, run inside a network namespace by the TUN system tests:
 *   node tunEchoResponder.js --name NAME --address fd50::1 --route fd50::/16 [--probe]
 * Opens the TUN device, configures it, answers ICMPv6 echo requests read from
 * it with correct echo replies, and counts UDP datagrams to UDP_COUNT_PORT.
 * Speaks JSON lines: events on stdout; commands on stdin: stats, pause,
 * resume, exit. With --probe it only opens the device and reports the result.
 */
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { parseIpv6Packet } from '../../../src/tun/ipv6Packet.js'
import { echoReplyFor } from './icmpv6Echo.js'
import { configureTunLink } from '../../../src/tun/tunLinkConfig.js'
import { TunDevice } from '../../../src/tun/tunDevice.js'

const UDP_COUNT_PORT = 9999
const IPPROTO_UDP = 17

function say (event: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(event) + '\n')
}

function main (): void {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      address: { type: 'string', default: 'fd50::1' },
      route: { type: 'string', default: 'fd50::/16' },
      mtu: { type: 'string', default: '1500' },
      probe: { type: 'boolean', default: false }
    }
  })
  let tun: TunDevice
  try {
    tun = TunDevice.open({ name: values.name ?? 'phantomtest%d' })
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    say({ event: 'open-error', code: e.code, message: e.message })
    process.exitCode = 3
    return
  }
  if (values.probe) {
    say({ event: 'opened', name: tun.name })
    tun.close()
    return
  }

  const counts = { echoReplies: 0, udpDatagrams: 0, udpDistinct: 0, otherPackets: 0, malformed: 0 }
  const udpSeen = new Set<number>()
  tun.on('error', (error) => { say({ event: 'error', message: error.message }) })
  tun.on('packets', (packets) => {
    for (const packet of packets) {
      let parsed
      try { parsed = parseIpv6Packet(packet) } catch { counts.malformed++; continue }
      const { header, payload } = parsed
      if (header.nextHeader === IPPROTO_UDP && payload.length >= 12 && payload.readUInt16BE(2) === UDP_COUNT_PORT) {
        counts.udpDatagrams++
        const seq = payload.readUInt32BE(8)
        if (!udpSeen.has(seq)) { udpSeen.add(seq); counts.udpDistinct++ }
        continue
      }
      const reply = echoReplyFor(packet)
      if (reply !== null) {
        tun.write(reply)
        counts.echoReplies++
        continue
      }
      counts.otherPackets++
    }
  })

  const stats = (): Record<string, unknown> => ({ event: 'stats', ...counts, ...tun.stats })
  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = line.trim()
    if (command === 'stats') say(stats())
    else if (command === 'pause') { tun.pause(); say({ event: 'paused' }) } else if (command === 'resume') { tun.resume(); say({ event: 'resumed' }) } else if (command === 'exit') { tun.close(); say({ event: 'closed' }); process.exit(0) }
  }).on('close', () => { tun.close(); process.exit(0) })

  configureTunLink(tun.name, { mtu: Number(values.mtu), addresses: [values.address], routes: [values.route] })
    .then(() => { say({ event: 'ready', name: tun.name }) })
    .catch((error: Error) => { say({ event: 'config-error', message: error.message }); tun.close(); process.exit(4) })
}

main()
