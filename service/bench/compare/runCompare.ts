/**
 * Issue 8's comparison (root; one machine, one run): the same workloads over
 * every available network, one after the other, then Markdown tables with
 * ratios to "direct" and a JSON file build/bench/compare-<date>.json.
 *   npx tsx bench/compare/runCompare.ts [--only direct,yggdrasil,relay-chain,tor,phantom,phantom-new] [--quick] [--out FILE] [--logs DIR]
 *   (or node dist/bench/compare/runCompare.js)
 * Every path is first warmed up with echo round trips that no figure counts
 * (all paths of a network before any of them is measured).
 * Workloads per path: time to first byte of fresh connections (and, where
 * the transport offers them, of connections to destinations never contacted
 * before), 64-byte echo round trips (back to back, then one every 50 ms as
 * ping sends them), bulk download with 1 and 8 streams (CPU
 * of every node process per GiB; VmRSS of every node sampled during the
 * 8-stream run).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { installCleanupHandlers, onCleanup, runCleanups } from './cleanup.js'
import { chartSourceName, compareChartSvg } from './compareChart.js'
import { formatTables, type BulkFigures, type CompareRun, type PathResult } from './compareResults.js'
import { removeStaleNamespaces, run, runClient } from './namespaces.js'
import { cpuSeconds, PeakRssSampler, rssMiB, totalCpuSeconds } from './procStats.js'
import type { BenchPath, Transport } from './transport.js'
import { iperf3Throughput } from './workloads/iperf3.js'
import { DirectVethTransport } from './transports/directVeth.js'
import { TorPrivateTransport } from './transports/torPrivate.js'
import { YggdrasilTransport } from './transports/yggdrasil.js'
import type { BulkResult, ClientReport, EchoResult, FirstByteResult } from './workloads/workloadResults.js'
import { PhantomNetworkTransport } from './transports/phantomNetwork.js'
import { RelayChainTransport } from './transports/relayChain.js'

/** Every transport the runner knows, in the order they run ("direct" first: it is the reference). */
const TRANSPORTS: Record<string, () => Transport> = {
  direct: () => new DirectVethTransport(),
  yggdrasil: () => new YggdrasilTransport(),
  'relay-chain': () => new RelayChainTransport(),
  tor: () => new TorPrivateTransport(),
  phantom: () => new PhantomNetworkTransport({ newDestinations: false }),
  'phantom-new': () => new PhantomNetworkTransport({ newDestinations: true })
}
/** The program each transport needs (a missing one skips the transport). */
const REQUIRED_PROGRAMS: Record<string, string[]> = { direct: [], yggdrasil: ['yggdrasil'], 'relay-chain': [], tor: ['tor', 'tor-gencert'], phantom: [], 'phantom-new': [] }
let haveIperf3 = false

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    logs: { type: 'string' }
  }
})
const quick = values.quick
const settings = quick
  ? { bulkSeconds: 3, echoRoundTrips: 200, firstByteConnections: 5, warmupRoundTrips: 100, spacedEchoRoundTrips: 40, spacedEchoIntervalMs: 50 }
  : { bulkSeconds: 10, echoRoundTrips: 1000, firstByteConnections: 20, warmupRoundTrips: 3000, spacedEchoRoundTrips: 200, spacedEchoIntervalMs: 50 }
const WORKLOAD_TIMEOUT_MS = 60_000
const GiB = 2 ** 30

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, import.meta.url.endsWith('.ts') ? '../../..' : '../../../..')

async function available (name: string): Promise<string | null> {
  for (const program of REQUIRED_PROGRAMS[name] ?? []) {
    const found = await run('sh', ['-c', `command -v ${program}`])
    if (found.code !== 0) return `${program} not installed (apt-get install -y ${program === 'tor-gencert' ? 'tor' : program})`
  }
  return null
}

function say (text: string): void {
  process.stdout.write(text + '\n')
}

async function clientRun<T> (path: BenchPath, args: string[], timeoutMs: number): Promise<T & { clientCpuSeconds: number }> {
  const report = await runClient(path.clientNamespace, ['--target', JSON.stringify(path.target), '--timeout-ms', String(WORKLOAD_TIMEOUT_MS), ...args], timeoutMs) as ClientReport
  return { ...(report.result as T), clientCpuSeconds: report.clientCpuSeconds }
}

async function bulk (transport: Transport, path: BenchPath, streams: number, sampler?: PeakRssSampler): Promise<BulkFigures> {
  const nodePids = transport.nodes().map((n) => n.pid)
  const serverPid = transport.serverPid()
  const nodeBefore = totalCpuSeconds(nodePids)
  const serverBefore = serverPid === undefined ? 0 : cpuSeconds(serverPid) ?? 0
  sampler?.start()
  try {
    const result = await clientRun<BulkResult>(path, ['--workload', 'bulk', '--streams', String(streams), '--seconds', String(settings.bulkSeconds)], settings.bulkSeconds * 1000 + 2 * WORKLOAD_TIMEOUT_MS)
    const nodeCpu = totalCpuSeconds(nodePids) - nodeBefore
    const serverCpu = (serverPid === undefined ? 0 : cpuSeconds(serverPid) ?? 0) - serverBefore
    const gib = result.totalBytes / GiB
    const { clientCpuSeconds, ...figures } = result
    return {
      ...figures,
      nodeCpuSecondsPerGiB: nodePids.length === 0 ? null : nodeCpu / gib,
      endpointCpuSecondsPerGiB: (clientCpuSeconds + serverCpu) / gib
    }
  } finally {
    sampler?.stop()
  }
}

async function iperf (transport: Transport, path: BenchPath, streams: number): Promise<NonNullable<PathResult['iperf1']>> {
  const where = path.iperf3
  if (where === undefined) throw new Error('not a plain IP path')
  const nodePids = transport.nodes().map((n) => n.pid)
  const before = totalCpuSeconds(nodePids)
  const r = await iperf3Throughput(where.serverNamespace, path.clientNamespace, where.host, streams, settings.bulkSeconds)
  const gib = r.mbitPerSecond * 1e6 * r.seconds / 8 / GiB
  return { ...r, nodeCpuSecondsPerGiB: nodePids.length === 0 ? null : (totalCpuSeconds(nodePids) - before) / gib }
}

/** The first byte to each of the path's fresh targets, added to `result` (an error goes to its errors). */
async function measureNewDestinations (path: BenchPath, result: PathResult): Promise<void> {
  const fresh = path.freshTargets ?? []
  if (fresh.length === 0) return
  say(`  ${path.label}: first byte, ${fresh.length} new destinations…`)
  try {
    const { clientCpuSeconds: _, ...r } = await clientRun<FirstByteResult>(path, ['--workload', 'first-byte-each', '--targets', JSON.stringify(fresh)], (fresh.length + 1) * WORKLOAD_TIMEOUT_MS)
    result.firstByteNew = r
  } catch (error) {
    result.errors.push(`first byte, new destinations: ${(error as Error).message}`)
    say(`  ${path.label}: first byte, new destinations failed: ${(error as Error).message}`)
  }
}

function newPathResult (transport: Transport, path: BenchPath): PathResult {
  return {
    label: path.label,
    transport: transport.name,
    description: path.description,
    memory: transport.nodes().map((n) => ({ name: n.name, pid: n.pid, idleMiB: null, peakMiB: null })),
    errors: []
  }
}

/** Runs `step`, printing what it does; a failure is recorded in the path's errors and printed, not thrown. */
async function attemptStep (result: PathResult, what: string, step: () => Promise<void>): Promise<void> {
  say(`  ${result.label}: ${what}…`)
  try { await step() } catch (error) { result.errors.push(`${what}: ${(error as Error).message}`); say(`  ${result.label}: ${what} failed: ${(error as Error).message}`) }
}

/**
 * A path's first packets run through code the daemons' JIT has not optimised
 * yet (Phantom's first 500 echo round trips took up to twice as long as the
 * next ones), and a network that just started still does its start-up work,
 * so every path, of every transport, first carries echo round trips that no
 * figure counts; their p50 is kept as the path's cold figure. All paths of a
 * transport are warmed up before any is measured: measured right after its
 * own warm-up, the first path still paid for the network's first minute
 * (TUN measured first: echo 3.69 ms, 7.19 one every 50 ms; measured second:
 * 2.86 and 4.66). No bulk transfer in the warm-up: the bulk runs warm up
 * within their own first second, and a Tor onion path measured after one
 * once answered its echo in 96 ms instead of 16.
 */
async function warmUp (path: BenchPath, result: PathResult): Promise<void> {
  await attemptStep(result, 'warm-up', async () => {
    const { clientCpuSeconds: _, ...r } = await clientRun<EchoResult>(path, ['--workload', 'echo', '--count', String(settings.warmupRoundTrips)], 5 * WORKLOAD_TIMEOUT_MS)
    result.warmupEcho = r
  })
}

async function measurePath (transport: Transport, path: BenchPath, result: PathResult): Promise<void> {
  const nodes = transport.nodes()
  for (const m of result.memory) m.idleMiB = rssMiB(m.pid)
  const attempt = async (what: string, step: () => Promise<void>): Promise<void> => { await attemptStep(result, what, step) }
  await attempt('first byte', async () => {
    const { clientCpuSeconds: _, ...r } = await clientRun<FirstByteResult>(path, ['--workload', 'first-byte', '--count', String(settings.firstByteConnections)], (settings.firstByteConnections + 1) * WORKLOAD_TIMEOUT_MS)
    result.firstByte = r
  })
  await attempt('echo', async () => {
    const { clientCpuSeconds: _, ...r } = await clientRun<EchoResult>(path, ['--workload', 'echo', '--count', String(settings.echoRoundTrips)], 5 * WORKLOAD_TIMEOUT_MS)
    result.echo = r
  })
  await attempt(`echo, one every ${settings.spacedEchoIntervalMs} ms`, async () => {
    const { clientCpuSeconds: _, ...r } = await clientRun<EchoResult>(path, ['--workload', 'echo', '--count', String(settings.spacedEchoRoundTrips), '--interval-ms', String(settings.spacedEchoIntervalMs)], 5 * WORKLOAD_TIMEOUT_MS + settings.spacedEchoRoundTrips * settings.spacedEchoIntervalMs)
    result.spacedEcho = r
  })
  await attempt('bulk, 1 stream', async () => { result.bulk1 = await bulk(transport, path, 1) })
  await attempt('bulk, 8 streams', async () => {
    const sampler = new PeakRssSampler(nodes.map((n) => n.pid))
    try {
      result.bulk8 = await bulk(transport, path, 8, sampler)
    } finally {
      const peaks = sampler.stop()
      for (const m of result.memory) m.peakMiB = peaks.get(m.pid) ?? null
    }
  })
  if (path.iperf3 !== undefined && haveIperf3) {
    await attempt('iperf3, 1 stream', async () => { result.iperf1 = await iperf(transport, path, 1) })
    await attempt('iperf3, 8 streams', async () => { result.iperf8 = await iperf(transport, path, 8) })
  }
}

async function main (): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('runCompare needs root (it creates network namespaces)')
  installCleanupHandlers()
  haveIperf3 = (await run('sh', ['-c', 'command -v iperf3'])).code === 0
  if (!haveIperf3) say('iperf3 not installed: no iperf3 figures (apt-get install -y iperf3)')
  const stale = await removeStaleNamespaces()
  if (stale.length > 0) say(`removed stale namespaces: ${stale.join(', ')}`)
  const only = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '')
  for (const name of only ?? []) if (TRANSPORTS[name] === undefined) throw new Error(`unknown transport '${name}' (known: ${Object.keys(TRANSPORTS).join(', ')})`)
  const names = Object.keys(TRANSPORTS).filter((n) => only === undefined || only.includes(n))
  const cpuList = cpus()
  const compareRun: CompareRun = {
    date: new Date().toISOString(),
    quick,
    settings,
    machine: { cpus: cpuList.length, model: cpuList[0]?.model ?? '?', memGiB: Math.round(totalmem() / GiB), node: process.version, kernel: release() },
    loadAverageBefore: loadavg(),
    loadAverageAfter: [],
    transports: [],
    paths: []
  }
  say(`comparison run ${compareRun.date}${quick ? ' (quick)' : ''}; load average ${compareRun.loadAverageBefore.map((l) => l.toFixed(2)).join(' ')}`)
  for (const name of names) {
    const missing = await available(name)
    if (missing !== null) {
      say(`\n== ${name}: skipped, ${missing}`)
      compareRun.transports.push({ name, startSeconds: 0, notes: {}, error: missing })
      continue
    }
    const transport = (TRANSPORTS[name] as () => Transport)()
    const unregister = onCleanup(name, async () => { await transport.stop() })
    say(`\n== ${name}: starting`)
    const t0 = performance.now()
    const entry: CompareRun['transports'][number] = { name, startSeconds: 0, notes: {} }
    compareRun.transports.push(entry)
    try {
      await transport.start()
      entry.startSeconds = (performance.now() - t0) / 1000
      entry.notes = transport.notes()
      say(`== ${name}: ready in ${entry.startSeconds.toFixed(1)} s`)
      const measured = transport.paths().filter((path) => path.freshOnly !== true).map((path) => ({ path, result: newPathResult(transport, path) }))
      for (const { path, result } of measured) await warmUp(path, result)
      for (const { path, result } of measured) {
        await measurePath(transport, path, result)
        await measureNewDestinations(path, result)
        compareRun.paths.push(result)
      }
      for (const path of transport.paths().filter((p) => p.freshOnly === true)) {
        const earlier = compareRun.paths.find((p) => p.label === path.label)
        const result = earlier ?? { label: path.label, transport: transport.name, description: path.description, memory: [], errors: [] }
        await measureNewDestinations(path, result)
        if (earlier === undefined) compareRun.paths.push(result)
      }
    } catch (error) {
      entry.startSeconds = (performance.now() - t0) / 1000
      entry.error = (error as Error).message
      say(`== ${name}: failed: ${entry.error}`)
    } finally {
      entry.notes = { ...entry.notes, ...safeNotes(transport) }
      await transport.stop()
      unregister()
      if (values.logs !== undefined) {
        mkdirSync(values.logs, { recursive: true })
        for (const log of transport.logs?.() ?? []) writeFileSync(join(values.logs, `${log.name}.log`), log.text)
      }
      say(`== ${name}: stopped`)
    }
  }
  compareRun.loadAverageAfter = loadavg()
  const file = values.out ?? join(repoRoot, 'build', 'bench', `compare-${compareRun.date.replace(/[:]/g, '-').replace(/\..*$/, '')}${quick ? '-quick' : ''}.json`)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify(compareRun, null, 2) + '\n')
  const chartFile = file.replace(/\.json$/i, '') + '.svg'
  writeFileSync(chartFile, compareChartSvg(compareRun, { source: chartSourceName(file, repoRoot) }))
  say('\n' + formatTables(compareRun))
  say(`\nresults: ${file}\nchart: ${chartFile}`)
}

function safeNotes (transport: Transport): Record<string, string> {
  try { return transport.notes() } catch { return {} }
}

main().then(async () => { await runCleanups() }, async (error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`)
  await runCleanups()
  process.exitCode = 1
})
