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
import { startLoopbackBenchServer } from './loopbackBenchServer.js'
import { ProcessNetwork } from '../test/harness/processNetwork.js'
import { freePort } from '../test/harness/freePort.js'
import { waitFor } from '../test/harness/waitFor.js'
import { positiveIntegerArg } from './benchStats.js'
import { bulkThroughput } from './compare/workloads/clientWorkloads.js'

const SECONDS = positiveIntegerArg('seconds', 10)
const STREAMS = positiveIntegerArg('streams', 8)
const NODES = 12
const SERVICE_PORT = 7000
const POLL_MS = 250

type Memory = NodeStatus['memory']

async function main (): Promise<void> {
  const serverPort = await freePort()
  const stopServer = await startLoopbackBenchServer(serverPort)
  const socksPort = await freePort()
  let net: ProcessNetwork | undefined
  try {
    process.stderr.write(`starting ${NODES} daemons…\n`)
    net = await ProcessNetwork.start(NODES, {
      readyTimeoutMs: 180_000,
      config: { log: { level: 'warn' } },
      configFor: (i) => i === 0
        ? { path: { count: { exit: 1, entry: 0 }, diversity: false }, socks: { enabled: true, listen: `127.0.0.1:${socksPort}` } }
        : i === 1 ? { path: { count: { exit: 0, entry: 1 }, diversity: false }, services: [{ port: SERVICE_PORT, target: `127.0.0.1:${serverPort}` }] } : {}
    })
    const nodes = net.nodes
    const [a, b] = [nodes[0]!, nodes[1]!]
    const bName = (await b.status()).ap[0]!.name
    await waitFor('a session from A to B', async () => await a.call('session.ping', { target: bName }).then(() => true, () => false), 300_000, 1000)
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
    const bulk = await bulkThroughput({ kind: 'socks5', proxyHost: '127.0.0.1', proxyPort: socksPort, host: bName, port: SERVICE_PORT, isolate: false }, STREAMS, SECONDS, 120_000)
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
    await net?.destroy()
    stopServer()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
