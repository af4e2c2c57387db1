/**
 * TUN throughput figures (not a test; needs root). Creates a network
 * namespace, re-runs itself inside it, opens a TUN device and measures:
 *   1. write only: IPv6/UDP packets written with TunDevice.write in a tight loop;
 *   2. loop: with forwarding on in the namespace, each packet written to
 *      fd50::3 is routed straight back out of the device and read again, with
 *      a bounded window of packets in flight; reports packets/s both ways and
 *      the mean batch size per wake-up.
 * Run: npx tsx bench/tunThroughput.ts [--seconds 3] [--size 1420]
 *      (or node dist/bench/tunThroughput.js)
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { encodeIpv6Packet } from '../src/tun/ipv6Packet.js'
import { configureTunLink } from '../src/tun/tunLinkConfig.js'
import { TunDevice } from '../src/tun/tunDevice.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    size: { type: 'string', default: '1420' },
    window: { type: 'string', default: '256' },
    inner: { type: 'boolean', default: false }
  }
})
const seconds = Number(values.seconds)
const size = Number(values.size)
const window = Number(values.window)

function address (text: string): Buffer {
  const [head = '', tail = ''] = text.split('::')
  const groups = (s: string): number[] => s === '' ? [] : s.split(':').map((g) => parseInt(g, 16))
  const h = groups(head); const t = groups(tail)
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t]
  const out = Buffer.alloc(16)
  all.forEach((g, i) => out.writeUInt16BE(g, 2 * i))
  return out
}

function udpPacket (destination: string, seq: number): Buffer {
  const udp = Buffer.alloc(size - 40)
  udp.writeUInt16BE(40000, 0)
  udp.writeUInt16BE(9, 2)
  udp.writeUInt16BE(udp.length, 4)
  udp.writeUInt32BE(seq, 8) // checksum left 0: never delivered to a socket
  return encodeIpv6Packet({ nextHeader: 17, hopLimit: 64, source: address('fd50::2'), destination: address(destination) }, udp)
}

async function inner (): Promise<void> {
  execFileSync('sysctl', ['-q', '-w', 'net.ipv6.conf.all.forwarding=1'])
  const tun = TunDevice.open({ name: 'phbench%d', maxWriteQueue: 4096 })
  await configureTunLink(tun.name, { mtu: 65535, addresses: ['fd50::1'] })
  execFileSync('ip', ['link', 'set', 'dev', tun.name, 'txqueuelen', '4096'])
  console.log(`device ${tun.name}, packets of ${size} bytes, ${seconds} s per figure`)

  // 1. write only: to fd50::1 (local address, closed port: the kernel drops it).
  const local = udpPacket('fd50::1', 0)
  let written = 0
  const end1 = performance.now() + seconds * 1000
  let start = performance.now()
  while (performance.now() < end1) {
    for (let i = 0; i < 1000; i++) tun.write(local)
    written += 1000
  }
  let elapsed = (performance.now() - start) / 1000
  report('write only (TunDevice.write)', written / elapsed)

  // 2. loop: write to fd50::3, the kernel forwards it back out of the device, read it again.
  await new Promise<void>((resolve) => {
    let read = 0; let sent = 0; let batches = 0
    const packet = udpPacket('fd50::3', 0)
    tun.removeAllListeners('packets')
    tun.on('packets', (packets) => {
      batches++
      for (const p of packets) if (p.length === size) read++
      const refill = Math.max(0, window - (sent - read))
      for (let i = 0; i < refill; i++) { tun.write(packet); sent++ }
      if (performance.now() >= end2) {
        elapsed = (performance.now() - start) / 1000
        report('loop: written', sent / elapsed)
        report('loop: read back', read / elapsed)
        console.log(`${'loop: mean packets per wake-up'.padEnd(40)} ${(read / batches).toFixed(1).padStart(10)}   (largest ${tun.stats.largestBatch}, queued writes ${tun.stats.writesQueued}, dropped ${tun.stats.writesDropped})`)
        tun.close()
        resolve()
      }
    })
    start = performance.now()
    const end2 = start + seconds * 1000
    for (let i = 0; i < window; i++) { tun.write(packet); sent++ }
  })
}

function report (label: string, packetsPerSecond: number): void {
  const gbit = packetsPerSecond * size * 8 / 1e9
  console.log(`${label.padEnd(40)} ${Math.round(packetsPerSecond).toString().padStart(10)} packets/s  ${gbit.toFixed(2).padStart(6)} Gbit/s`)
}

if (values.inner) {
  await inner()
} else {
  if (process.getuid?.() !== 0) throw new Error('tunThroughput needs root (it creates a network namespace and a TUN device)')
  const ns = `phantom-tunbench-${process.pid}-${randomBytes(3).toString('hex')}`
  execFileSync('ip', ['netns', 'add', ns])
  try {
    const result = spawnSync('ip', ['netns', 'exec', ns, process.execPath, ...process.execArgv, process.argv[1] as string, '--inner', '--seconds', String(seconds), '--size', String(size), '--window', String(window)], { stdio: 'inherit', timeout: (seconds * 4 + 30) * 1000 })
    if (result.status !== 0) process.exitCode = 1
  } finally {
    execFileSync('ip', ['netns', 'delete', ns])
  }
}
