import Table from 'cli-table3'

/** Two-column table of a flat or nested object, for humans. */
export function keyValueTable (rows: Array<[string, unknown]>): string {
  const table = new Table({ style: { head: [], border: [] } })
  for (const [k, v] of rows) table.push({ [k]: formatValue(v) })
  return table.toString()
}

export function listTable (head: string[], rows: unknown[][]): string {
  const table = new Table({ head, style: { head: [], border: [] } })
  for (const r of rows) table.push(r.map(formatValue))
  return table.toString()
}

export function formatValue (v: unknown): string {
  if (v == null) return '-'
  if (Array.isArray(v)) return v.length === 0 ? '-' : v.map(formatValue).join('\n')
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${formatValue(x)}`).join('\n')
  return String(v)
}

export function formatUptime (seconds: number): string {
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`
}

export function formatBytes (n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`
}
