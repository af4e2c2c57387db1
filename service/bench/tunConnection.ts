/**
 * Issue 6's benchmark (root): iperf3 TCP throughput and ping round trips,
 * TUN to TUN, through a full connection (A's 3-hop exit path, B's 3-hop
 * entry path; 12 daemons, each its own process and network namespace, joined
 * by a private bridge), side by side with the same two namespaces talking
 * directly over that bridge, in one run.
 * Each side is warmed up first (a flood ping of --warmup round trips, one
 * after another, and 2 s of iperf3; not counted: the daemons' first packets
 * run through code the JIT has not optimised yet).
 * The Phantom side is measured twice: to B's AP address (IPv6), then to the
 * IPv4 address A's mapping gives it (an IPv4-only client; A translates).
 *
 * With --no-ipv4 the daemons run without the IPv4 mapping (no translator
 * between phantom0 and the router) and the IPv4 measurement is skipped: to
 * compare the IPv6 path with and without the translator in its way.
 *
 * With --ipv4-first the IPv4-only client is measured before the IPv6 path
 * (by default after it): the path measured second has the warmer daemons.
 *
 * Run: npx tsx bench/tunConnection.ts [--seconds 10] [--pings 100] [--ping-interval-ms 50] [--warmup 3000] [--no-ipv4 | --ipv4-first]
 * (ping's -i; a short interval keeps the 12 daemons from going idle between
 * pings, a long one shows what an isolated packet pays for waking them)
 */
import type { NodeStatus } from '../src/daemon/phantomNode.js'
import { IPERF_PORT, NAMESPACE_FULL_CONNECTION_NODES, startNamespaceFullConnection } from './namespaceFullConnection.js'
import { percentile, positiveIntegerArg } from './benchStats.js'
import { cpuSeconds } from './compare/procStats.js'

const SECONDS = positiveIntegerArg('seconds', 10)
const PINGS = positiveIntegerArg('pings', 100)
const PING_INTERVAL_MS = positiveIntegerArg('ping-interval-ms', 50)
const WARMUP_PINGS = positiveIntegerArg('warmup', 3000)
const WARMUP_IPERF_SECONDS = 2
const NODES = NAMESPACE_FULL_CONNECTION_NODES
/** Measure the IPv4-only client before the IPv6 path instead of after it (the second gets the warmer daemons). */
const IPV4_FIRST = process.argv.includes('--ipv4-first')

async function main (): Promise<void> {
  const withIpv4 = !process.argv.includes('--no-ipv4')
  if (!withIpv4 && IPV4_FIRST) throw new Error('--ipv4-first needs the IPv4 mapping: not with --no-ipv4')
  const { lan, nodes, bAp, stop } = await startNamespaceFullConnection('bench', { ipv4: withIpv4 })
  try {
    const mtu = (await nodes[0]!.status()).tun?.mtu
    const inA = async (args: string[], timeoutMs = 180_000): Promise<string> => {
      const r = await lan.nodes[0]!.exec(args, timeoutMs)
      if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}${r.stdout.slice(-300)}`)
      return r.stdout
    }
    const pids = nodes.map((n) => n.pid).filter((p): p is number => p != null)
    const measure = async (label: string, address: string): Promise<{ mbit: number, retransmits: number, pingP50: number, pingP99: number, coldPingMeanMs: number, cpuSecPerGiB: number[] }> => {
      process.stderr.write(`${label}: warm-up…\n`)
      // ping -f sends the next request when the reply arrives: round trips one after another
      // (a lost reply makes ping exit 1; the warm-up does not mind)
      const flood = (await lan.nodes[0]!.exec(['ping', '-f', '-c', String(WARMUP_PINGS), '-W', '5', address], 300_000)).stdout
      const coldPingMeanMs = Number(/= [\d.]+\/([\d.]+)\//.exec(flood)?.[1] ?? NaN)
      await inA(['iperf3', '-c', address, '-p', String(IPERF_PORT), '-t', String(WARMUP_IPERF_SECONDS)])
      process.stderr.write(`${label}: iperf3 ${SECONDS} s…\n`)
      const cpuBefore = pids.map((pid) => cpuSeconds(pid) ?? 0)
      const iperf = JSON.parse(await inA(['iperf3', '-c', address, '-p', String(IPERF_PORT), '-t', String(SECONDS), '-J'])) as { end: { sum_received: { bits_per_second: number, bytes: number }, sum_sent: { retransmits?: number } } }
      // every daemon's CPU (user + system) per GiB iperf3 delivered, in node order (A, B, then the relays)
      const gib = iperf.end.sum_received.bytes / 2 ** 30
      const cpuSecPerGiB = pids.map((pid, i) => ((cpuSeconds(pid) ?? 0) - cpuBefore[i]!) / gib)
      process.stderr.write(`${label}: ${PINGS} pings…\n`)
      const ping = await inA(['ping', '-c', String(PINGS), '-i', (PING_INTERVAL_MS / 1000).toFixed(3), '-W', '5', address], 300_000)
      const times = [...ping.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]))
      return { mbit: iperf.end.sum_received.bits_per_second / 1e6, retransmits: iperf.end.sum_sent.retransmits ?? 0, pingP50: percentile(times, 50), pingP99: percentile(times, 99), coldPingMeanMs, cpuSecPerGiB }
    }
    const routers = async (): Promise<Array<NodeStatus['tunRouter']>> => await Promise.all([nodes[0]!.status(), nodes[1]!.status()].map(async (s) => (await s).tunRouter))
    // the same through A's IPv4 mapping: an IPv4-only client, its packets translated on A (B still sees IPv6)
    const mapped = withIpv4 ? (await nodes[0]!.call<{ ipv4: string | null }>('resolve', { name: bAp })).ipv4 : 'none'
    if (mapped == null) throw new Error('A has no IPv4 mapping (tun.ipv4)')
    const skipped = { mbit: NaN, retransmits: NaN, pingP50: NaN, pingP99: NaN, coldPingMeanMs: NaN, cpuSecPerGiB: [] as number[] }
    const direct = await measure('direct', lan.addressOf(1))
    let ipv4 = withIpv4 && IPV4_FIRST ? await measure('phantom over IPv4', mapped) : skipped
    const before = await routers()
    const phantom = await measure('phantom', bAp)
    const after = await routers()
    if (withIpv4 && !IPV4_FIRST) ipv4 = await measure('phantom over IPv4', mapped)
    // packets A's router sent into the network (the iperf3 client's data) and B's router delivered to its host
    const sentByA = (after[0]?.outbound.forwarded ?? 0) - (before[0]?.outbound.forwarded ?? 0)
    const deliveredAtB = (after[1]?.inbound.delivered ?? 0) - (before[1]?.inbound.delivered ?? 0)
    // and the other way: B's replies (TCP ACKs, ping replies) into the network, and what A delivered
    const sentByB = (after[1]?.outbound.forwarded ?? 0) - (before[1]?.outbound.forwarded ?? 0)
    const deliveredAtA = (after[0]?.inbound.delivered ?? 0) - (before[0]?.inbound.delivered ?? 0)
    const fmt = (v: number): string => !Number.isFinite(v) ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(2)
    console.log(`\nTUN to TUN: ${NODES} daemons, each in its own namespace, x = 3, phantom0 MTU ${mtu}, ${SECONDS} s iperf3, ${PINGS} pings every ${PING_INTERVAL_MS} ms, after a warm-up of ${WARMUP_PINGS} pings and ${WARMUP_IPERF_SECONDS} s of iperf3`)
    console.log(`| workload | namespaces joined directly | Phantom full connection | Phantom, IPv4-only client (${mapped}, translated on A) | Phantom / direct | IPv4 / IPv6 |`)
    console.log('|---|---|---|---|---|---|')
    const row = (label: string, pick: (m: typeof direct) => number, ratios = true): void => {
      const [d, p, v] = [pick(direct), pick(phantom), pick(ipv4)]
      console.log(`| ${label} | ${fmt(d)} | ${fmt(p)} | ${fmt(v)} | ${ratios ? fmt(p / d) : ''} | ${ratios ? fmt(v / p) : ''} |`)
    }
    row('iperf3 TCP (Mbit/s)', (m) => m.mbit)
    row('ping p50 (ms)', (m) => m.pingP50)
    row('ping p99 (ms)', (m) => m.pingP99)
    row('warm-up flood ping, mean (ms, cold)', (m) => m.coldPingMeanMs)
    row('iperf3 TCP retransmits', (m) => m.retransmits, false)
    const busy = phantom.cpuSecPerGiB.map((c, i) => ({ c, name: i === 0 ? 'A' : i === 1 ? 'B' : `relay ${i}` })).filter((x) => x.c > 0.5).sort((x, y) => y.c - x.c)
    const allDaemons = (m: typeof direct): number => m.cpuSecPerGiB.length === 0 ? NaN : m.cpuSecPerGiB.reduce((x, y) => x + y, 0)
    console.log(`| daemon CPU s per GiB, all daemons | - | ${fmt(allDaemons(phantom))} | ${fmt(allDaemons(ipv4))} | | ${fmt(allDaemons(ipv4) / allDaemons(phantom))} |`)
    console.log(`| daemon CPU s per GiB, A (the translating end) | - | ${fmt(phantom.cpuSecPerGiB[0] ?? NaN)} | ${fmt(ipv4.cpuSecPerGiB[0] ?? NaN)} | | ${fmt((ipv4.cpuSecPerGiB[0] ?? NaN) / (phantom.cpuSecPerGiB[0] ?? NaN))} |`)
    console.log(`Daemon CPU s per GiB during the Phantom iperf3 run, busiest first: ${busy.map((x) => `${x.name} ${x.c.toFixed(1)}`).join(', ')}`)
    console.log(`Phantom run (warm-up, iperf3 and pings): A's router forwarded ${sentByA} packets into the network and B's delivered ${deliveredAtB} to its host; B's forwarded ${sentByB} back (TCP ACKs, ping replies) and A's delivered ${deliveredAtA}`)
    console.log(JSON.stringify({ bench: 'tunConnection', nodes: NODES, mtu, translator: withIpv4, ipv4First: withIpv4 && IPV4_FIRST, direct, phantom, ipv4, packets: { sentByA, deliveredAtB, sentByB, deliveredAtA } }))
  } finally {
    await stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
