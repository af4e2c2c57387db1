/**
 * Where a daemon's memory goes under load: the full connection of
 * fullConnection.ts (12 daemons on loopback, A's 3-hop exit path, B's 3-hop
 * entry path), an 8-stream bulk download through A's SOCKS5 proxy, and every
 * daemon's `status` memory polled meanwhile. Prints, per daemon, idle and
 * peak RSS and, at its peak, the V8 heap in use and the Buffers held outside
 * the heap; then the same after the load, to show what is given back.
 * Run: npx tsx bench/daemonMemory.ts [--seconds 10] [--streams 8]
 * Experiments: environment variables reach every daemon (MALLOC_* tune
 * glibc's allocator); PHANTOM_DAEMON_NODE_FLAGS adds Node flags.
 */
import type { NodeStatus } from '../src/daemon/phantomNode.js'
import { FULL_CONNECTION_NODES, startLoopbackFullConnection } from './loopbackFullConnection.js'
import { positiveIntegerArg } from './benchStats.js'
import { bulkThroughput } from './compare/workloads/clientWorkloads.js'

const SECONDS = positiveIntegerArg('seconds', 10)
const STREAMS = positiveIntegerArg('streams', 8)
const NODES = FULL_CONNECTION_NODES
const POLL_MS = 250

type Memory = NodeStatus['memory']

async function main (): Promise<void> {
  const connection = await startLoopbackFullConnection()
  try {
    const nodes = connection.net.nodes
    const sample = async (): Promise<Memory[]> => await Promise.all(nodes.map(async (n) => (await n.status()).memory))
    const idle = await sample()
    const peak: Memory[] = idle.map((m) => ({ ...m }))
    let polling = true
    const poller = (async () => {
      while (polling) {
        const now = await sample().catch(() => null)
        if (now != null) now.forEach((m, i) => { if (m.rssMiB > peak[i]!.rssMiB) peak[i] = m })
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      }
    })()
    process.stderr.write(`bulk, ${STREAMS} streams, ${SECONDS} s…\n`)
    const bulk = await bulkThroughput(connection.phantom, STREAMS, SECONDS, 120_000)
    polling = false
    await poller
    // what is given back once the load is gone (GC runs on its own schedule: sampled after 5 s of quiet)
    await new Promise((resolve) => setTimeout(resolve, 5000))
    const after = await sample()
    const f = (v: number): string => v.toFixed(1)
    console.log(`\n${NODES} daemons, ${STREAMS}-stream bulk ${bulk.mbitPerSecond.toFixed(1)} Mbit/s for ${SECONDS} s; MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? '(default)'}; extra Node flags: ${process.env.PHANTOM_DAEMON_NODE_FLAGS ?? '(none)'}`)
    console.log('| daemon | idle RSS | peak RSS | heap at peak | buffers at peak | RSS 5 s after | heap after | buffers after |')
    console.log('|---|---|---|---|---|---|---|---|')
    nodes.forEach((_, i) => {
      const [m0, p, m1] = [idle[i]!, peak[i]!, after[i]!]
      console.log(`| ${i === 0 ? 'A' : i === 1 ? 'B' : `relay ${i}`} | ${f(m0.rssMiB)} | ${f(p.rssMiB)} | ${f(p.heapUsedMiB)} | ${f(p.buffersMiB)} | ${f(m1.rssMiB)} | ${f(m1.heapUsedMiB)} | ${f(m1.buffersMiB)} |`)
    })
    const maxPeak = Math.max(...peak.map((m) => m.rssMiB))
    console.log(JSON.stringify({ bench: 'daemonMemory', mallocMmapThreshold: process.env.MALLOC_MMAP_THRESHOLD_ ?? null, streams: STREAMS, seconds: SECONDS, mbitPerSecond: bulk.mbitPerSecond, maxPeakRssMiB: maxPeak, idle, peak, after }))
  } finally {
    await connection.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
