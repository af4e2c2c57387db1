/** Small statistics helpers for benchmarks. */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] as number
}

export function median (values: number[]): number {
  return percentile(values, 50)
}

export function fmt (n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a'
}

/** Resident set size of a process in MiB, from /proc. */
export async function rssMiB (pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises')
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

export function printTable (title: string, rows: Array<[string, string]>): void {
  const width = Math.max(...rows.map(r => r[0].length))
  process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`)
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`)
}

/** `--name N` from the command line: a positive integer, or `fallback` when absent. */
export function positiveIntegerArg (name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const v = Number(process.argv[i + 1])
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} needs a positive integer`)
  return v
}
