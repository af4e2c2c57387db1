/**
 * Issue 5's benchmark: a full Phantom connection (A's 3-hop exit path and B's
 * 3-hop entry path, every node its own daemon process on loopback, 12
 * daemons) side by side with the same workloads straight over loopback, in
 * one run: bulk TCP throughput (1 and 8 streams, through A's SOCKS5 proxy to
 * a service B exposes), 64-byte echo round trips (p50/p99), tunnel setup
 * (fresh tunnel and session, key search included: `phantomctl ping --fresh`),
 * CPU seconds per GiB moved (all daemons together, and the busiest one),
 * peak resident memory per daemon. Prints a table and a JSON line.
 * Each target is warmed up first (--warmup echo round trips and 2 s of bulk,
 * not counted; the warm-up echo's p50 is printed as the cold figure), since
 * the daemons' first packets run through code the JIT has not optimised yet.
 * Run: npx tsx bench/fullConnection.ts [--seconds 10] [--echo 1000] [--setups 20] [--warmup 3000]
 * Profiling: PHANTOM_DAEMON_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'
 * passes extra Node flags to every daemon (test/harness/processNode.ts); each
 * writes its profile when it exits at the end of the run.
 */
import { FULL_CONNECTION_NODES, startLoopbackFullConnection } from './loopbackFullConnection.js'
import { bulkThroughput, echoRoundTrips } from './compare/workloads/clientWorkloads.js'
import { cpuSeconds, PeakRssSampler } from './compare/procStats.js'
import type { ConnectTarget } from './compare/transport.js'
import { percentile, positiveIntegerArg } from './benchStats.js'

const SECONDS = positiveIntegerArg('seconds', 10)
const ECHOES = positiveIntegerArg('echo', 1000)
const SETUPS = positiveIntegerArg('setups', 20)
const WARMUP_ROUND_TRIPS = positiveIntegerArg('warmup', 3000)
const WARMUP_BULK_SECONDS = 2
const NODES = FULL_CONNECTION_NODES

async function main (): Promise<void> {
  const connection = await startLoopbackFullConnection()
  const { net, bName } = connection
  try {
    const a = net.nodes[0]!
    const pids = net.nodes.map((n) => n.pid).filter((p): p is number => p != null)
    const keyCount = (await a.status()).tunnelKeyCount

    const targets: Array<[string, ConnectTarget]> = [['loopback', connection.direct], ['phantom', connection.phantom]]
    const rows: Record<string, Record<string, number>> = {}
    for (const [label, target] of targets) {
      process.stderr.write(`${label}: warm-up…\n`)
      const cold = await echoRoundTrips(target, WARMUP_ROUND_TRIPS, 300_000)
      await bulkThroughput(target, 1, WARMUP_BULK_SECONDS, 120_000)
      process.stderr.write(`${label}: echo…\n`)
      const echo = await echoRoundTrips(target, ECHOES, 120_000)
      const cpuBefore = pids.map((p) => cpuSeconds(p) ?? 0)
      const sampler = new PeakRssSampler(pids)
      sampler.start()
      process.stderr.write(`${label}: bulk, 1 stream…\n`)
      const bulk1 = await bulkThroughput(target, 1, SECONDS, 120_000)
      process.stderr.write(`${label}: bulk, 8 streams…\n`)
      const bulk8 = await bulkThroughput(target, 8, SECONDS, 120_000)
      const peakByPid = sampler.stop()
      const cpuDelta = pids.map((p, i) => (cpuSeconds(p) ?? 0) - cpuBefore[i]!)
      const gib = (bulk1.totalBytes + bulk8.totalBytes) / 2 ** 30
      const peaks = pids.map((p) => peakByPid.get(p) ?? 0)
      rows[label] = {
        bulk1Mbit: bulk1.mbitPerSecond,
        bulk8Mbit: bulk8.mbitPerSecond,
        echoP50Ms: echo.p50Ms,
        echoP99Ms: echo.p99Ms,
        echoColdP50Ms: cold.p50Ms,
        cpuSecPerGiBAll: label === 'loopback' ? 0 : cpuDelta.reduce((x, y) => x + y, 0) / gib,
        cpuSecPerGiBBusiest: label === 'loopback' ? 0 : Math.max(...cpuDelta) / gib,
        peakRssMiB: label === 'loopback' ? 0 : Math.max(...peaks)
      }
    }
    process.stderr.write(`tunnel setup ×${SETUPS}…\n`)
    const tunnel: number[] = []
    const handshake: number[] = []
    for (let i = 0; i < SETUPS; i++) {
      const r = await a.call<{ tunnelMs: number, handshakeMs: number }>('session.ping', { target: bName, fresh: true }, 120_000)
      tunnel.push(r.tunnelMs)
      handshake.push(r.handshakeMs)
    }
    const l = rows.loopback!
    const p = rows.phantom!
    const fmt = (v: number): string => Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(2)) : '-'
    console.log(`\nfull connection: ${NODES} daemon processes on loopback, x = 3, tunnel keys N = ${keyCount}, ${SECONDS} s per bulk run, after a warm-up of ${WARMUP_ROUND_TRIPS} echo round trips and ${WARMUP_BULK_SECONDS} s of bulk`)
    console.log('| workload | loopback | Phantom | Phantom / loopback |')
    console.log('|---|---|---|---|')
    console.log(`| bulk, 1 stream (Mbit/s) | ${fmt(l.bulk1Mbit!)} | ${fmt(p.bulk1Mbit!)} | ${fmt(p.bulk1Mbit! / l.bulk1Mbit!)} |`)
    console.log(`| bulk, 8 streams (Mbit/s) | ${fmt(l.bulk8Mbit!)} | ${fmt(p.bulk8Mbit!)} | ${fmt(p.bulk8Mbit! / l.bulk8Mbit!)} |`)
    console.log(`| 64-byte echo p50 (ms) | ${fmt(l.echoP50Ms!)} | ${fmt(p.echoP50Ms!)} | ${fmt(p.echoP50Ms! / l.echoP50Ms!)} |`)
    console.log(`| 64-byte echo p99 (ms) | ${fmt(l.echoP99Ms!)} | ${fmt(p.echoP99Ms!)} | ${fmt(p.echoP99Ms! / l.echoP99Ms!)} |`)
    console.log(`| 64-byte echo p50 during the warm-up, cold (ms) | ${fmt(l.echoColdP50Ms!)} | ${fmt(p.echoColdP50Ms!)} | ${fmt(p.echoColdP50Ms! / l.echoColdP50Ms!)} |`)
    console.log(`| tunnel setup p50 / p99 (ms, key search included) | - | ${fmt(percentile(tunnel, 50))} / ${fmt(percentile(tunnel, 99))} | |`)
    console.log(`| session handshake p50 (ms) | - | ${fmt(percentile(handshake, 50))} | |`)
    console.log(`| CPU s per GiB, all daemons | - | ${fmt(p.cpuSecPerGiBAll!)} | |`)
    console.log(`| CPU s per GiB, busiest daemon | - | ${fmt(p.cpuSecPerGiBBusiest!)} | |`)
    console.log(`| peak RSS of a daemon during bulk (MiB) | - | ${fmt(p.peakRssMiB!)} | |`)
    console.log(JSON.stringify({ bench: 'fullConnection', nodes: NODES, keyCount, rows, tunnelSetupMs: { p50: percentile(tunnel, 50), p99: percentile(tunnel, 99) }, handshakeMs: { p50: percentile(handshake, 50) } }))
  } finally {
    await connection.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
