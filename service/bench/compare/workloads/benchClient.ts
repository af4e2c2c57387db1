/**
 * The client driver, run by the runner inside the client's namespace, one
 * workload per process:
 *   node benchClient.js --target '<ConnectTarget JSON>' --workload bulk|echo|first-byte
 *        [--streams 8] [--seconds 10] [--count 1000] [--interval-ms 0] [--timeout-ms 60000]
 *   (--interval-ms: echo round trips sent that far apart instead of back to back)
 *   node benchClient.js --targets '<ConnectTarget[] JSON>' --workload first-byte-each
 *        (one fresh connection to each target: destinations not contacted before)
 * Prints one JSON line: a ClientReport, or {"error": "..."} and exit code 1.
 */
import { parseArgs } from 'node:util'
import type { ConnectTarget } from '../transport.js'
import { bulkThroughput, echoRoundTrips, firstByteTimes } from './clientWorkloads.js'
import type { ClientReport, WorkloadResult } from './workloadResults.js'

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    targets: { type: 'string' },
    workload: { type: 'string' },
    streams: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '10' },
    count: { type: 'string', default: '100' },
    'interval-ms': { type: 'string', default: '0' },
    'timeout-ms': { type: 'string', default: '60000' }
  }
})

/** The option's value as a number of at least `min`; a clear error otherwise. */
function numberOption (name: 'streams' | 'seconds' | 'count' | 'interval-ms' | 'timeout-ms', min: number): number {
  const text = values[name]
  const n = Number(text)
  if (text === undefined || text.trim() === '' || !Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number of at least ${min}, got ${String(text)}`)
  return n
}

async function main (): Promise<void> {
  const target = JSON.parse(values.target ?? 'null') as ConnectTarget
  const timeoutMs = numberOption('timeout-ms', 1)
  const cpuBefore = process.cpuUsage()
  let result: WorkloadResult
  if (values.workload === 'bulk') result = await bulkThroughput(target, numberOption('streams', 1), numberOption('seconds', 0), timeoutMs)
  else if (values.workload === 'echo') result = await echoRoundTrips(target, numberOption('count', 1), timeoutMs, numberOption('interval-ms', 0))
  else if (values.workload === 'first-byte') result = await firstByteTimes(Array.from({ length: numberOption('count', 1) }, () => target), timeoutMs)
  else if (values.workload === 'first-byte-each') result = await firstByteTimes(JSON.parse(values.targets ?? '[]') as ConnectTarget[], timeoutMs)
  else throw new Error(`unknown workload ${String(values.workload)}`)
  const cpu = process.cpuUsage(cpuBefore)
  const report: ClientReport = { result, clientCpuSeconds: (cpu.user + cpu.system) / 1e6 }
  process.stdout.write(JSON.stringify(report) + '\n')
}

main().then(() => { process.exit(0) }, (error: Error) => {
  process.stdout.write(JSON.stringify({ error: error.message }) + '\n')
  process.exit(1)
})
