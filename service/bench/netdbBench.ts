/**
 * Network database benchmark (issue 2): start-to-ready time, record fetch
 * latency p50/p99 in a 20-node network of separate processes on loopback, and
 * the resident memory of an idle node, next to a bare Node.js process measured
 * in the same run (the machine is shared and noisy: compare ratios).
 *
 *   node dist/bench/netdbBench.js [--nodes 20] [--fetches 400]
 */
import { spawn } from 'node:child_process'
import { cpus } from 'node:os'
import { ProcessNetwork } from '../test/harness/processNetwork.js'
import { ProcessNode } from '../test/harness/processNode.js'
import { waitFor } from '../test/harness/waitFor.js'
import { fmt, median, percentile, printTable, rssMiB } from './benchStats.js'

function arg (name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

async function main (): Promise<void> {
  const nodeCount = arg('nodes', 20)
  const fetches = arg('fetches', 400)
  const started = Date.now()
  const net = await ProcessNetwork.start(nodeCount, { readyTimeoutMs: 180_000 })
  const results: Record<string, unknown> = {}
  try {
    // start to ready: one more node joining the formed network, measured from spawn
    const joinTimes: number[] = []
    for (let i = 0; i < 5; i++) {
      const joiner = await ProcessNode.create({ name: `joiner${i}`, bootstrap: [net.nodes[0]!.address] })
      const t0 = performance.now()
      await joiner.start()
      await waitFor('joiner ready', async () => (await joiner.status()).netdb.ready, 60_000, 20)
      joinTimes.push(performance.now() - t0)
      await joiner.destroy()
    }

    // fetch latency: random reader → random other node's record, measured inside the reader
    const latencies: number[] = []
    let failures = 0
    for (let i = 0; i < fetches; i++) {
      const reader = net.nodes[Math.floor(Math.random() * nodeCount)]!
      let target = reader
      while (target === reader) target = net.nodes[Math.floor(Math.random() * nodeCount)]!
      try {
        const got = await reader.call<{ elapsedMs: number }>('netdb.get', { key: target.peerId })
        latencies.push(got.elapsedMs)
      } catch {
        failures++
      }
    }

    // idle memory: let the network settle, then read every node's RSS and a bare node process
    await new Promise(resolve => setTimeout(resolve, 10_000))
    const rss = await Promise.all(net.nodes.map(async n => await rssMiB(n.pid!)))
    const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    await waitFor('bare node running', async () => bare.pid != null && (await rssMiB(bare.pid)) > 0, 5000)
    await new Promise(resolve => setTimeout(resolve, 1000))
    const bareRss = await rssMiB(bare.pid!)
    bare.kill()

    Object.assign(results, {
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`,
      node: process.version,
      nodes: nodeCount,
      joinReadyMs: { p50: median(joinTimes), max: Math.max(...joinTimes) },
      fetchMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), n: latencies.length, failures },
      idleRssMiB: { median: median(rss), max: Math.max(...rss), bareNode: bareRss },
      wallSeconds: (Date.now() - started) / 1000
    })
    printTable(`Network database, ${nodeCount} daemons on loopback (${String(results.machine)}, Node ${process.version})`, [
      ['start → DHT ready (join, p50 / max)', `${fmt(median(joinTimes), 0)} ms / ${fmt(Math.max(...joinTimes), 0)} ms   (target ≤ 2000 ms)`],
      ['record fetch p50 / p99', `${fmt(percentile(latencies, 50))} ms / ${fmt(percentile(latencies, 99))} ms   (n = ${latencies.length}, failed ${failures}; target p50 ≤ 50 ms)`],
      ['idle RSS per node (median / max)', `${fmt(median(rss))} MiB / ${fmt(Math.max(...rss))} MiB   (target ≤ 120 MiB)`],
      ['bare Node.js process RSS', `${fmt(bareRss)} MiB   (ratio node/bare ${fmt(median(rss) / bareRss, 2)})`]
    ])
    process.stdout.write('\n' + JSON.stringify(results) + '\n')
  } finally {
    await net.destroy()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`netdbBench: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
