/**
 * What a TUN user sees under load (root): A's daemon memory and a ping sent
 * alongside, first while a program floods UDP at 2 Gbit/s (far beyond what
 * the tunnel carries), then during an iperf3 TCP transfer. Same network as
 * tunConnection.ts: 12 daemons, each in its own namespace, A's 3-hop exit
 * path and B's 3-hop entry path.
 * Run: npx tsx bench/tunUnderLoad.ts [--seconds 8]
 */
import { spawn } from 'node:child_process'
import { ProcessNode } from '../test/harness/processNode.js'
import { NamespaceLan } from '../test/harness/namespaceLan.js'
import { waitFor } from '../test/harness/waitFor.js'
import { requireRoot } from '../test/tun/helpers/testNamespace.js'
import { percentile, positiveIntegerArg } from './benchStats.js'
import { rssMiB } from './compare/procStats.js'

const SECONDS = positiveIntegerArg('seconds', 8)
const NODES = 12
const IPERF_PORT = 5201

interface IperfEnd { end: { sum?: { seconds: number, bits_per_second: number, lost_percent: number }, sum_received?: { seconds: number, bits_per_second: number } } }

async function main (): Promise<void> {
  requireRoot()
  const lan = await NamespaceLan.create(NODES)
  const nodes: ProcessNode[] = []
  const iperfServer = spawn('ip', ['netns', 'exec', lan.nodes[1]!.name, 'iperf3', '-s', '-p', String(IPERF_PORT)], { stdio: 'ignore' })
  try {
    process.stderr.write(`starting ${NODES} daemons, each in its own namespace…\n`)
    for (let i = 0; i < NODES; i++) {
      const node = await ProcessNode.create({
        name: `load${i}`,
        netns: lan.nodes[i]!.name,
        bootstrap: i === 0 ? [] : [`/ip4/${lan.addressOf(0)}/tcp/4821/p2p/${nodes[0]!.peerId}`],
        config: {
          listen: [`/ip4/${lan.addressOf(i)}/tcp/4821`],
          log: { level: 'warn' },
          path: { count: { exit: i === 0 ? 1 : 0, entry: i === 1 ? 1 : 0 }, diversity: false },
          tun: { enabled: true },
          ...(i === 1 ? { ap: { expose: [IPERF_PORT] } } : {})
        }
      })
      nodes.push(node)
      await node.start()
    }
    const bAp = (await nodes[1]!.status()).ap[0]!.address
    await waitFor('A reaches B', async () => await nodes[0]!.call('session.ping', { target: bAp }).then(() => true, () => false), 300_000, 1000)
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
    iperfServer.kill('SIGKILL')
    await Promise.allSettled(nodes.map(async (n) => { await n.destroy() }))
    await lan.remove()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
