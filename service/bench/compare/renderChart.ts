/**
 * Draws the chart of a comparison run from its result file (issue 8):
 *   node dist/bench/compare/renderChart.js build/bench/compare-<date>.json [--out docs/images/benchmarks-compare.svg]
 *   (or npx tsx bench/compare/renderChart.ts …)
 * Without --out the SVG goes next to the JSON file (compare-<date>.svg).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { chartSourceName, compareChartSvg } from './compareChart.js'
import type { CompareRun } from './compareResults.js'

/** A result file is small (tens of KiB); refuse anything absurd rather than read it whole. */
const MAX_RESULT_FILE_BYTES = 16 * 1024 * 1024

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, import.meta.url.endsWith('.ts') ? '../../..' : '../../../..')

function fail (message: string): never {
  process.stderr.write(`renderChart: ${message}\n`)
  process.exit(64)
}

let parsed
try {
  parsed = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true })
} catch (error) {
  fail((error as Error).message)
}
const { values, positionals } = parsed
if (positionals.length !== 1) fail('usage: renderChart FILE.json [--out FILE.svg]')
const file = positionals[0] as string

let text: string
try {
  const bytes = readFileSync(file)
  if (bytes.length > MAX_RESULT_FILE_BYTES) fail(`${file}: larger than ${MAX_RESULT_FILE_BYTES} bytes, not a result file`)
  text = bytes.toString('utf8')
} catch (error) {
  fail(`cannot read ${file}: ${(error as Error).message}`)
}
let run: unknown
try {
  run = JSON.parse(text)
} catch (error) {
  fail(`${file}: not JSON (${(error as Error).message})`)
}
if (typeof run !== 'object' || run === null || !Array.isArray((run as { paths?: unknown }).paths)) fail(`${file}: not a comparison result (no "paths" list)`)

const out = values.out ?? file.replace(/\.json$/i, '') + '.svg'
mkdirSync(dirname(resolve(out)), { recursive: true })
writeFileSync(out, compareChartSvg(run as CompareRun, { source: chartSourceName(file, repoRoot) }))
process.stdout.write(`chart: ${out}\n`)
