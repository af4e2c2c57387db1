/** What the client driver measures and prints (one JSON line per run). */

export interface BulkResult {
  workload: 'bulk'
  streams: number
  /** Bytes received inside the measurement window (after every stream delivered its first byte). */
  bytes: number
  seconds: number
  mbitPerSecond: number
  /** Every byte received, setup included (for CPU per GiB). */
  totalBytes: number
  /** From the first connect until every stream delivered its first byte. */
  setupMs: number
}

export interface EchoResult {
  workload: 'echo'
  roundTrips: number
  /** Pacing: each round trip sent this long after the previous one was (0, or absent in older files: back to back). */
  intervalMs?: number
  p50Ms: number
  p99Ms: number
  meanMs: number
  maxMs: number
}

export interface FirstByteResult {
  workload: 'first-byte'
  connections: number
  p50Ms: number
  p99Ms: number
  minMs: number
  maxMs: number
  /** Every connection's time, in order. */
  timesMs: number[]
}

export type WorkloadResult = BulkResult | EchoResult | FirstByteResult

export interface ClientReport {
  result: WorkloadResult
  /** The driver's own CPU time (user + system), seconds. */
  clientCpuSeconds: number
}
