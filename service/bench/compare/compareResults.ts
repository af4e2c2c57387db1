/** The result file of a comparison run (build/bench/compare-<date>.json) and its Markdown tables. */
import type { Iperf3Result } from './workloads/iperf3.js'
import type { BulkResult, EchoResult, FirstByteResult } from './workloads/workloadResults.js'

export interface NodeMemory { name: string, pid: number, idleMiB: number | null, peakMiB: number | null }

export interface BulkFigures extends BulkResult {
  /** CPU seconds of every node process during the run, divided by the GiB received (null: no node process). */
  nodeCpuSecondsPerGiB: number | null
  /** The client driver's and the bench server's CPU seconds per GiB. */
  endpointCpuSecondsPerGiB: number
}

export interface PathResult {
  label: string
  transport: string
  description: string
  firstByte?: FirstByteResult
  /** One fresh connection to each of the path's `freshTargets` (destinations never contacted before). */
  firstByteNew?: FirstByteResult
  echo?: EchoResult
  /** Echo round trips one every `settings.spacedEchoIntervalMs` (each one wakes an idle path, as ping does). */
  spacedEcho?: EchoResult
  /**
   * The warm-up's echo round trips, run before every other workload of the
   * path (and not counted in them): the figure of a cold path.
   */
  warmupEcho?: EchoResult
  bulk1?: BulkFigures
  bulk8?: BulkFigures
  /** iperf3 -R on plain IP paths (kernel sender and receiver), with the nodes' CPU per GiB. */
  iperf1?: Iperf3Result & { nodeCpuSecondsPerGiB: number | null }
  iperf8?: Iperf3Result & { nodeCpuSecondsPerGiB: number | null }
  /** Per node: VmRSS before the workloads and the peak sampled during the 8-stream run. */
  memory: NodeMemory[]
  errors: string[]
}

export interface CompareRun {
  date: string
  quick: boolean
  /** warmupRoundTrips is absent from runs made before the warm-up existed (session 7 and earlier). */
  settings: { bulkSeconds: number, echoRoundTrips: number, firstByteConnections: number, warmupRoundTrips?: number, spacedEchoRoundTrips?: number, spacedEchoIntervalMs?: number }
  machine: { cpus: number, model: string, memGiB: number, node: string, kernel: string }
  loadAverageBefore: number[]
  loadAverageAfter: number[]
  transports: Array<{ name: string, startSeconds: number, notes: Record<string, string>, error?: string }>
  paths: PathResult[]
}

function f (n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits)
}

/** value / reference as "×r" (or "–"). */
export function ratio (value: number | null | undefined, reference: number | null | undefined): string {
  if (value === null || value === undefined || reference === null || reference === undefined || !Number.isFinite(value) || !Number.isFinite(reference) || reference === 0) return '–'
  const r = value / reference
  return `×${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}`
}

function table (header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export function median (values: number[]): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m] as number : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** Markdown tables, one per workload, ratios to the "direct" path. */
export function formatTables (run: CompareRun): string {
  const direct = run.paths.find((p) => p.label === 'direct')
  const out: string[] = []
  out.push(`### Bulk TCP throughput (Mbit/s, ${run.settings.bulkSeconds} s window, server → client)`)
  out.push(table(['path', '1 stream', 'vs direct', '8 streams', 'vs direct'], run.paths.map((p) => [
    p.label, f(p.bulk1?.mbitPerSecond), ratio(p.bulk1?.mbitPerSecond, direct?.bulk1?.mbitPerSecond),
    f(p.bulk8?.mbitPerSecond), ratio(p.bulk8?.mbitPerSecond, direct?.bulk8?.mbitPerSecond)
  ])))
  const iperfPaths = run.paths.filter((p) => p.iperf1 !== undefined || p.iperf8 !== undefined)
  if (iperfPaths.length > 0) {
    out.push(`\nSame with iperf3 -R (kernel sockets at both ends; plain IP paths only; Mbit/s, ${run.settings.bulkSeconds} s):\n`)
    out.push(table(['path', '1 stream', 'vs direct', '8 streams', 'vs direct', 'nodes CPU s/GiB, 1 / 8 streams'], iperfPaths.map((p) => [
      p.label, f(p.iperf1?.mbitPerSecond), ratio(p.iperf1?.mbitPerSecond, direct?.iperf1?.mbitPerSecond),
      f(p.iperf8?.mbitPerSecond), ratio(p.iperf8?.mbitPerSecond, direct?.iperf8?.mbitPerSecond),
      `${f(p.iperf1?.nodeCpuSecondsPerGiB, 2)} / ${f(p.iperf8?.nodeCpuSecondsPerGiB, 2)}`
    ])))
  }
  const warmup = run.settings.warmupRoundTrips
  const spaced = run.settings.spacedEchoIntervalMs
  out.push(`\n### 64-byte echo round trip (ms, ${run.settings.echoRoundTrips} round trips on one connection${warmup === undefined ? '' : `, after a warm-up of ${warmup} round trips`})`)
  out.push(table([
    'path', 'p50', 'p99', 'p50 vs direct', 'p99 vs direct', ...(warmup === undefined ? [] : ['p50 during the warm-up (cold)']),
    ...(spaced === undefined ? [] : [`p50 / p99, one every ${spaced} ms`])
  ], run.paths.map((p) => [
    p.label, f(p.echo?.p50Ms, 3), f(p.echo?.p99Ms, 3), ratio(p.echo?.p50Ms, direct?.echo?.p50Ms), ratio(p.echo?.p99Ms, direct?.echo?.p99Ms),
    ...(warmup === undefined ? [] : [f(p.warmupEcho?.p50Ms, 3)]),
    ...(spaced === undefined ? [] : [`${f(p.spacedEcho?.p50Ms, 3)} / ${f(p.spacedEcho?.p99Ms, 3)}`])
  ])))
  if (spaced !== undefined) out.push(`\nOne every ${spaced} ms: ${run.settings.spacedEchoRoundTrips ?? '?'} round trips on one connection, each sent ${spaced} ms after the previous one, after the back-to-back ones, as ping sends: every process on the path has gone idle before each, so the figure includes waking them.`)
  out.push(`\n### Time to first byte of a fresh connection (ms, ${run.settings.firstByteConnections} connections, one after another)`)
  out.push(table(['path', 'p50', 'p99 (max)', 'min', 'p50 vs direct'], run.paths.map((p) => [
    p.label, f(p.firstByte?.p50Ms), f(p.firstByte?.p99Ms), f(p.firstByte?.minMs), ratio(p.firstByte?.p50Ms, direct?.firstByte?.p50Ms)
  ])))
  const freshPaths = run.paths.filter((p) => p.firstByteNew !== undefined)
  if (freshPaths.length > 0) {
    out.push('\nTo destinations never contacted before (one connection to each; Phantom: AP record lookup, tunnel setup with the key search, handshake, stream):\n')
    out.push(table(['path', 'destinations', 'p50', 'max', 'min', 'each'], freshPaths.map((p) => [
      p.label, String(p.firstByteNew?.connections ?? 0), f(p.firstByteNew?.p50Ms), f(p.firstByteNew?.maxMs), f(p.firstByteNew?.minMs), (p.firstByteNew?.timesMs ?? []).map((t) => t.toFixed(0)).join(', ')
    ])))
  }
  out.push('\n### CPU seconds per GiB moved (user + system)')
  out.push(table(['path', 'nodes, 1 stream', 'nodes, 8 streams', 'client + server, 1 stream', 'client + server, 8 streams'], run.paths.map((p) => [
    p.label, f(p.bulk1?.nodeCpuSecondsPerGiB, 2), f(p.bulk8?.nodeCpuSecondsPerGiB, 2), f(p.bulk1?.endpointCpuSecondsPerGiB, 2), f(p.bulk8?.endpointCpuSecondsPerGiB, 2)
  ])))
  out.push('\n### Resident memory per node (MiB, VmRSS; peak sampled during the 8-stream run)')
  out.push(table(['path', 'nodes', 'idle, median', 'peak, median', 'peak, max', 'peak, sum'], run.paths.map((p) => {
    const idle = p.memory.map((m) => m.idleMiB).filter((v): v is number => v !== null)
    const peak = p.memory.map((m) => m.peakMiB).filter((v): v is number => v !== null)
    return [p.label, String(p.memory.length), f(median(idle)), f(median(peak)), f(peak.length > 0 ? Math.max(...peak) : null), f(peak.reduce((a, b) => a + b, 0) || null)]
  })))
  const errors = run.paths.flatMap((p) => p.errors.map((e) => `- ${p.label}: ${e}`))
  const failedTransports = run.transports.filter((t) => t.error !== undefined).map((t) => `- transport ${t.name} did not start: ${t.error ?? ''}`)
  if (errors.length + failedTransports.length > 0) out.push('\n### Errors\n' + [...failedTransports, ...errors].join('\n'))
  out.push('\nPaths:\n' + run.paths.map((p) => `- ${p.label}: ${p.description}`).join('\n'))
  const notes = run.transports.flatMap((t) => [`- ${t.name}: started in ${t.startSeconds.toFixed(1)} s`, ...Object.entries(t.notes).map(([k, v]) => `- ${t.name}: ${k}: ${v}`)])
  out.push('\nNotes:\n' + notes.join('\n'))
  out.push(`\nLoad average (1/5/15 min) before: ${run.loadAverageBefore.map((l) => l.toFixed(2)).join(' / ')}, after: ${run.loadAverageAfter.map((l) => l.toFixed(2)).join(' / ')}`)
  return out.join('\n')
}
