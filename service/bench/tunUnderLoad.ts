/**
 * What a TUN user sees under load (root): A's daemon memory and a ping sent
 * alongside, first while a program floods UDP at 2 Gbit/s (far beyond what
 * the tunnel carries), then during an iperf3 TCP transfer. Same network as
 * tunConnection.ts: 12 daemons, each in its own namespace, A's 3-hop exit
 * path and B's 3-hop entry path.
 * Run: npx tsx bench/tunUnderLoad.ts [--seconds 8]
 */
import { IPERF_PORT, NAMESPACE_FULL_CONNECTION_NODES, startNamespaceFullConnection } from './namespaceFullConnection.js'
import { percentile, positiveIntegerArg } from './benchStats.js'
import { rssMiB } from './compare/procStats.js'

const SECONDS = positiveIntegerArg('seconds', 8)
const NODES = NAMESPACE_FULL_CONNECTION_NODES

interface IperfEnd { end: { sum?: { seconds: number, bits_per_second: number, lost_percent: number }, sum_received?: { seconds: number, bits_per_second: number } } }

async function main (): Promise<void> {
  const { lan, nodes, bAp, stop } = await startNamespaceFullConnection('load')
  try {
    const aPid = nodes[0]!.pid!
    const idleRss = rssMiB(aPid) ?? 0
    const dropped = async (): Promise<number> => (await nodes[0]!.call<Array<{ datagramsDropped: number }>>('sessions')).reduce((sum, x) => sum + x.datagramsDropped, 0)
    const rows: Array<Record<string, number | string>> = []
    for (const [label, args] of [['UDP at 2 Gbit/s', ['-u', '-b', '2G', '-l', '60000']], ['TCP', []]] as const) {
      process.stderr.write(`${label}, ${SECONDS} s, pinging alongside…\n`)
      const droppedBefore = await dropped()
      const pings = Math.max(5, SECONDS * 5)
      const pinger = lan.nodes[0]!.exec(['ping', '-c', String(pings), '-i', '0.2', '-W', '2', bAp], 120_000)
      const iperf = lan.nodes[0]!.exec(['iperf3', '-c', bAp, '-p', String(IPERF_PORT), '-t', String(SECONDS), '-J', ...args], 300_000)
      let peak = 0
      const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(aPid) ?? 0) }, 200)
      const [r, p] = await Promise.all([iperf, pinger])
      clearInterval(sampler)
      const end = (JSON.parse(r.stdout) as IperfEnd).end
      const received = end.sum_received ?? end.sum!
      const times = [...p.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]))
      rows.push({
        label,
        mbit: received.bits_per_second / 1e6,
        receiverSeconds: received.seconds,
        lostPercent: end.sum?.lost_percent ?? 0,
        pingsAnswered: `${times.length}/${pings}`,
        pingP50: times.length > 0 ? percentile(times, 50) : NaN,
        peakRssMiB: peak,
        droppedAtA: (await dropped()) - droppedBefore
      })
    }
    console.log(`\nTUN under load: ${NODES} daemons, each in its own namespace, x = 3; ${SECONDS} s per load; A's idle RSS ${idleRss.toFixed(0)} MiB`)
    console.log('| load | delivered Mbit/s | receiver done after (s) | UDP lost | pings answered | ping p50 alongside (ms) | A peak RSS (MiB) | packets A dropped |')
    console.log('|---|---|---|---|---|---|---|---|')
    for (const r of rows) console.log(`| ${r.label} | ${(r.mbit as number).toFixed(0)} | ${(r.receiverSeconds as number).toFixed(1)} | ${(r.lostPercent as number).toFixed(0)} % | ${r.pingsAnswered} | ${(r.pingP50 as number).toFixed(1)} | ${(r.peakRssMiB as number).toFixed(0)} | ${r.droppedAtA} |`)
    console.log(JSON.stringify({ bench: 'tunUnderLoad', seconds: SECONDS, idleRssMiB: idleRss, rows }))
  } finally {
    await stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
