import { percentile } from '../benchStats.js'

export interface LatencySummary {
  count: number
  p50: number
  p99: number
  mean: number
  min: number
  max: number
}

/** Nearest-rank percentiles (benchStats.percentile) and the mean of a list of durations. */
export function summarizeLatencies (values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: NaN, p99: NaN, mean: NaN, min: NaN, max: NaN }
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (const v of values) { sum += v; if (v < min) min = v; if (v > max) max = v }
  return { count: values.length, p50: percentile([...values], 50), p99: percentile([...values], 99), mean: sum / values.length, min, max }
}
