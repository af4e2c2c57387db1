/**
 * The chart of a comparison run (issue 8): a self-contained SVG document
 * (no scripts, no external fonts or images; generic sans-serif) with three
 * panels, one group of bars per network path:
 *   1. bulk TCP throughput, 1 and 8 streams (Mbit/s, log scale);
 *   2. 64-byte echo round trip, p50 bar and p99 marker (ms, log scale);
 *   3. time to first byte of a fresh connection, p50 bar and p99 marker (ms, log scale).
 * Every bar carries its value and its ratio to the "direct" path; a missing
 * figure (a workload that failed, a network that did not start) has no bar
 * and says "n/a". Pure: the same run and options give the same text.
 *
 * The input is a parsed result file; the renderer trusts none of its numbers
 * or strings (non-finite or non-positive figures count as missing, text is
 * escaped and stripped of characters XML forbids, long text is shortened).
 */
import { isAbsolute, relative, resolve } from 'node:path'
import { type CompareRun, type PathResult } from './compareResults.js'

export const CHART_WIDTH = 900

export interface CompareChartOptions {
  /** Where the data came from (the JSON file), printed in the caption. */
  source: string
}

/** How the caption names a result file: relative to the repository when it lies inside it, else as given. */
export function chartSourceName (file: string, repoRoot: string): string {
  const rel = relative(repoRoot, resolve(file))
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file
}

/** Escapes text for an XML text node or a double- or single-quoted attribute; drops characters XML 1.0 forbids. */
export function escapeXml (text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** A figure from the file: a finite positive number, or undefined (nothing a log scale could show). */
function figure (value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}

function str (value: unknown, maxChars: number): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : ''
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > maxChars ? `${oneLine.slice(0, maxChars - 1)}…` : oneLine
}

/** Three significant figures or so, never exponent notation below a million. */
export function formatFigure (v: number): string {
  if (v >= 1e6) return v.toPrecision(3)
  if (v >= 100) return v.toFixed(0)
  if (v >= 10) return v.toFixed(1)
  if (v >= 1) return v.toFixed(2)
  if (v >= 0.001) return v.toFixed(3)
  return v.toPrecision(2)
}

/** A count or a duration in whole units from the settings. */
function count (v: number): string {
  return v >= 1e6 ? v.toPrecision(3) : String(Math.round(v))
}

/** value / reference as "×r", two significant figures below 1 (a log chart spans decades). */
export function chartRatio (value: number, reference: number | undefined): string | undefined {
  if (reference === undefined) return undefined
  const r = value / reference
  if (!Number.isFinite(r) || r <= 0) return undefined
  return `×${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toPrecision(2)}`
}

function tickLabel (exponent: number): string {
  if (exponent >= 0 && exponent <= 6) return String(10 ** exponent)
  if (exponent < 0 && exponent >= -3) return (10 ** exponent).toFixed(-exponent)
  return `1e${exponent}`
}

/** A coordinate with one decimal (SVG needs no more). */
function c (n: number): string {
  return String(Math.round(n * 10) / 10)
}

interface Group {
  label: string
  path?: PathResult
  note?: string
}

interface Series {
  key: string
  name: string
  color: string
  value: (p: PathResult) => unknown
  /** A figure only some networks have: a missing value leaves the slot empty instead of saying "n/a". */
  optional?: boolean
  /** A second figure drawn as a marker (p99), with its legend name. */
  marker?: { name: string, legend: string, value: (p: PathResult) => unknown }
}

interface Panel {
  title: string
  unit: string
  series: Series[]
}

const INK = '#1b1f24'
const MUTED = '#57606a'
const GRID = '#d0d7de'
const GRID_MINOR = '#eef1f4'

const HEADER_LEFT = 20
const MARGIN_LEFT = 78
const MARGIN_RIGHT = 20
const PLOT_WIDTH = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
const PANEL_TITLE_HEIGHT = 26
/** Room above the plot for the labels of the tallest bars. */
const PLOT_HEADROOM = 42
const PLOT_HEIGHT = 200
/** Below the plot: path names and notes. */
const PLOT_FOOT = 50
const PANEL_HEIGHT = PANEL_TITLE_HEIGHT + PLOT_HEADROOM + PLOT_HEIGHT + PLOT_FOOT

function panels (run: CompareRun): Panel[] {
  const s = typeof run.settings === 'object' && run.settings !== null ? run.settings : undefined
  const bulkSeconds = figure(s?.bulkSeconds)
  const echoes = figure(s?.echoRoundTrips)
  const connections = figure(s?.firstByteConnections)
  return [
    {
      title: `Bulk TCP throughput, server → client${bulkSeconds === undefined ? '' : `, ${count(bulkSeconds)} s window`} (higher is better)`,
      unit: 'Mbit/s',
      series: [
        { key: 'bulk1', name: '1 stream', color: '#1f5a96', value: (p) => p.bulk1?.mbitPerSecond },
        { key: 'bulk8', name: '8 streams', color: '#b4540c', value: (p) => p.bulk8?.mbitPerSecond }
      ]
    },
    {
      title: `64-byte echo round trip${echoes === undefined ? '' : `, ${count(echoes)} round trips on one connection`} (lower is better)`,
      unit: 'ms',
      series: [{ key: 'echo', name: 'p50', color: '#20776a', value: (p) => p.echo?.p50Ms, marker: { name: 'p99', legend: 'p99', value: (p) => p.echo?.p99Ms } }]
    },
    {
      title: `First byte, ${connections === undefined ? '' : `${count(connections)} `}fresh connections (lower is better)`,
      unit: 'ms',
      series: [
        { key: 'firstByte', name: 'p50', color: '#6a4c9c', value: (p) => p.firstByte?.p50Ms, marker: { name: 'p99', legend: `p99${connections !== undefined && connections < 100 ? ' (= max)' : ''}`, value: (p) => p.firstByte?.p99Ms } },
        { key: 'firstByteNew', name: 'new AP address, p50', color: '#c03a7a', optional: true, value: (p) => p.firstByteNew?.p50Ms, marker: { name: 'max', legend: 'max', value: (p) => p.firstByteNew?.maxMs } }
      ]
    }
  ]
}

/** One group per path, then one per network that did not start (it has no path). */
function groups (run: CompareRun): Group[] {
  const paths = Array.isArray(run.paths) ? run.paths.filter((p): p is PathResult => typeof p === 'object' && p !== null) : []
  const out: Group[] = paths.map((p) => ({ label: str(p.label, 18) || '?', path: p }))
  const transports = Array.isArray(run.transports) ? run.transports : []
  for (const t of transports) {
    if (typeof t !== 'object' || t === null || t.error === undefined) continue
    if (paths.some((p) => p.transport === t.name)) continue
    out.push({ label: str(t.name, 18) || '?', note: 'did not start' })
  }
  return out
}

interface LogScale {
  lo: number
  hi: number
  /** The y coordinate of a positive value. */
  y: (v: number) => number
  /** The y coordinate of 10^exponent (no overflow or underflow at the extremes of doubles). */
  yOfLog: (exponent: number) => number
}

function logScale (values: number[], top: number): LogScale {
  let lo = 0
  let hi = 1
  if (values.length > 0) {
    let min = Infinity
    let max = -Infinity
    for (const v of values) { if (v < min) min = v; if (v > max) max = v }
    // The baseline sits below the smallest value so that its bar is visible too.
    lo = Math.floor(Math.log10(min) - 0.3)
    hi = Math.max(lo + 1, Math.ceil(Math.log10(max)))
  }
  const bottom = top + PLOT_HEIGHT
  const yOfLog = (exponent: number): number => bottom - (exponent - lo) / (hi - lo) * PLOT_HEIGHT
  return { lo, hi, y: (v) => yOfLog(Math.log10(v)), yOfLog }
}

function text (x: number, y: number, content: string, attrs: string): string {
  return `<text x="${c(x)}" y="${c(y)}" ${attrs}>${escapeXml(content)}</text>`
}

function renderPanel (panel: Panel, gs: Group[], direct: PathResult | undefined, top: number): string[] {
  const out: string[] = []
  const plotTop = top + PANEL_TITLE_HEIGHT + PLOT_HEADROOM
  const plotBottom = plotTop + PLOT_HEIGHT
  const values: number[] = []
  for (const g of gs) {
    if (g.path === undefined) continue
    for (const s of panel.series) {
      const v = figure(s.value(g.path))
      if (v !== undefined) values.push(v)
      const m = s.marker === undefined ? undefined : figure(s.marker.value(g.path))
      if (m !== undefined) values.push(m)
    }
  }
  const scale = logScale(values, plotTop)
  out.push(`<g class="panel" data-panel="${escapeXml(panel.series.map((s) => s.key).join(' '))}">`)
  out.push(text(MARGIN_LEFT, top + 18, panel.title, `font-size="14" font-weight="bold" fill="${INK}"`))
  // Legend, right-aligned on the title line (text widths estimated: no font metrics here).
  const items = panel.series.flatMap((s) => [
    { name: s.name, swatch: `<rect x="0" y="-10" width="12" height="12" fill="${s.color}"/>` },
    ...(s.marker === undefined ? [] : [{ name: s.marker.legend, swatch: `<line x1="0" y1="-4" x2="12" y2="-4" stroke="${INK}" stroke-width="2"/>` }])
  ])
  let lx = CHART_WIDTH - MARGIN_RIGHT
  for (const item of [...items].reverse()) {
    lx -= 18 + item.name.length * 7
    out.push(`<g transform="translate(${c(lx)} ${c(top + 18)})">${item.swatch}${text(17, 0, item.name, `font-size="12" fill="${INK}"`)}</g>`)
    lx -= 14
  }
  // Axis: decades (every `step`-th when there are many), minor lines when there are few.
  const decades = scale.hi - scale.lo
  const step = Math.max(1, Math.ceil(decades / 8))
  if (decades <= 5) {
    for (let e = scale.lo; e < scale.hi; e++) {
      for (let m = 2; m <= 9; m++) {
        const y = scale.yOfLog(e + Math.log10(m))
        out.push(`<line x1="${MARGIN_LEFT}" y1="${c(y)}" x2="${CHART_WIDTH - MARGIN_RIGHT}" y2="${c(y)}" stroke="${GRID_MINOR}" stroke-width="1"/>`)
      }
    }
  }
  for (let e = scale.lo; e <= scale.hi; e += step) {
    const y = scale.yOfLog(e)
    out.push(`<line x1="${MARGIN_LEFT}" y1="${c(y)}" x2="${CHART_WIDTH - MARGIN_RIGHT}" y2="${c(y)}" stroke="${GRID}" stroke-width="1"/>`)
    out.push(text(MARGIN_LEFT - 6, y + 4, tickLabel(e), `font-size="11" fill="${MUTED}" text-anchor="end"`))
  }
  const axisY = plotTop + PLOT_HEIGHT / 2
  out.push(`<text x="18" y="${c(axisY)}" font-size="12" fill="${INK}" text-anchor="middle" transform="rotate(-90 18 ${c(axisY)})">${escapeXml(`${panel.unit} (log scale)`)}</text>`)
  out.push(`<line x1="${MARGIN_LEFT}" y1="${c(plotBottom)}" x2="${CHART_WIDTH - MARGIN_RIGHT}" y2="${c(plotBottom)}" stroke="${INK}" stroke-width="1"/>`)
  if (gs.length === 0) out.push(text(MARGIN_LEFT + PLOT_WIDTH / 2, plotTop + PLOT_HEIGHT / 2, 'no paths in this run', `font-size="12" fill="${MUTED}" text-anchor="middle"`))
  // Bars.
  const groupWidth = PLOT_WIDTH / Math.max(1, gs.length)
  const n = panel.series.length
  const barWidth = Math.max(2, Math.min(n === 1 ? 56 : 48, groupWidth * (n === 1 ? 0.42 : 0.36)))
  gs.forEach((g, gi) => {
    const center = MARGIN_LEFT + groupWidth * (gi + 0.5)
    panel.series.forEach((s, si) => {
      const x = center - n * barWidth / 2 - (n - 1) * 2 + si * (barWidth + 4)
      const mid = x + barWidth / 2
      const v = g.path === undefined ? undefined : figure(s.value(g.path))
      const attrs = `class="bar" data-path="${escapeXml(g.label)}" data-workload="${s.key}"`
      if (v === undefined) {
        if (s.optional === true) return
        out.push(`<g class="missing" data-path="${escapeXml(g.label)}" data-workload="${s.key}">${text(mid, plotBottom - 5, 'n/a', `font-size="11" fill="${MUTED}" text-anchor="middle"`)}</g>`)
        return
      }
      const y = scale.y(v)
      const height = plotBottom - y
      const tooltip = `${g.label}, ${s.name}: ${formatFigure(v)} ${panel.unit}`
      out.push(`<rect ${attrs} data-value="${String(v)}" x="${c(x)}" y="${c(y)}" width="${c(barWidth)}" height="${c(height)}" fill="${s.color}"><title>${escapeXml(tooltip)}</title></rect>`)
      // The value inside the top of the bar when it fits, else just above it;
      // above that the p99 marker's label, then the ratio to direct.
      let above = y
      if (height >= 20) {
        out.push(text(mid, y + 14, formatFigure(v), `font-size="11" font-weight="bold" fill="#ffffff" text-anchor="middle"`))
      } else {
        out.push(text(mid, y - 4, formatFigure(v), `font-size="11" font-weight="bold" fill="${INK}" text-anchor="middle"`))
        above = y - 15
      }
      const m = s.marker === undefined || g.path === undefined ? undefined : figure(s.marker.value(g.path))
      if (m !== undefined && s.marker !== undefined) {
        const my = scale.y(m)
        out.push(`<line x1="${c(mid)}" y1="${c(my)}" x2="${c(mid)}" y2="${c(y)}" stroke="${INK}" stroke-width="1" stroke-dasharray="2 2"/>`)
        out.push(`<line class="marker" data-path="${escapeXml(g.label)}" data-workload="${s.key}" data-value="${String(m)}" x1="${c(x - 4)}" y1="${c(my)}" x2="${c(x + barWidth + 4)}" y2="${c(my)}" stroke="${INK}" stroke-width="2"><title>${escapeXml(`${g.label}, ${s.marker.name}: ${formatFigure(m)} ${panel.unit}`)}</title></line>`)
        const base = Math.min(my, above)
        out.push(text(mid, base - 4, `${s.marker.name} ${formatFigure(m)}`, `font-size="10" fill="${INK}" text-anchor="middle"`))
        above = base - 15
      }
      const r = direct === undefined || g.path === direct ? undefined : chartRatio(v, figure(s.value(direct)))
      if (r !== undefined) out.push(text(mid, above - 3, r, `font-size="10" fill="${MUTED}" text-anchor="middle"`))
    })
    out.push(text(center, plotBottom + 17, g.label, `font-size="12" fill="${INK}" text-anchor="middle"`))
    if (g.note !== undefined) out.push(text(center, plotBottom + 32, g.note, `font-size="11" fill="#b42318" text-anchor="middle"`))
    else if (g.path !== undefined && Array.isArray(g.path.errors) && g.path.errors.length > 0) {
      out.push(text(center, plotBottom + 32, `${g.path.errors.length} workload error${g.path.errors.length === 1 ? '' : 's'}`, `font-size="11" fill="#b42318" text-anchor="middle"`))
    }
  })
  out.push('</g>')
  return out
}

function dateLine (run: CompareRun): string {
  const raw = str(run.date, 40)
  const d = new Date(raw)
  const when = raw !== '' && Number.isFinite(d.getTime()) ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : raw || 'unknown date'
  return `Phantom vs Tor, Yggdrasil and direct: run of ${when}${run.quick === true ? ' (quick)' : ''}`
}

function machineOf (run: CompareRun): Partial<CompareRun['machine']> | undefined {
  return typeof run.machine === 'object' && run.machine !== null ? run.machine : undefined
}

function machineLine (run: CompareRun): string {
  const m = machineOf(run)
  const cpus = figure(m?.cpus)
  const mem = figure(m?.memGiB)
  return str(`Machine: ${cpus === undefined ? '?' : String(cpus)} × ${str(m?.model, 60) || '?'}, ${mem === undefined ? '?' : String(mem)} GiB RAM, Linux ${str(m?.kernel, 40) || '?'}, Node ${str(m?.node, 20) || '?'}`, 140)
}

function loadLine (run: CompareRun): string {
  const loads = (l: unknown): string => Array.isArray(l) && l.length > 0 ? l.slice(0, 3).map((x) => typeof x === 'number' && Number.isFinite(x) ? x.toFixed(2) : '?').join(' / ') : '?'
  const cpus = figure(machineOf(run)?.cpus)
  const loadOne = [run.loadAverageBefore, run.loadAverageAfter].map((l) => Array.isArray(l) ? figure(l[0]) ?? 0 : 0)
  const busy = cpus !== undefined && Math.max(...loadOne) > cpus ? ' (busy: load above the CPU count)' : ''
  return `Load average (1 / 5 / 15 min): ${loads(run.loadAverageBefore)} before, ${loads(run.loadAverageAfter)} after${busy}`
}

function versionLine (run: CompareRun): string {
  const transports = Array.isArray(run.transports) ? run.transports : []
  const versions: string[] = []
  for (const t of transports) {
    if (typeof t !== 'object' || t === null || typeof t.notes !== 'object' || t.notes === null) continue
    for (const [key, value] of Object.entries(t.notes)) {
      if (key.toLowerCase().includes('version')) versions.push(`${str(t.name, 20)}: ${str(value, 40)}`)
    }
  }
  return str(versions.length === 0 ? 'Versions: not recorded' : `Versions: ${versions.join('; ')}`, 150)
}

/** The chart of one comparison run as an SVG document (UTF-8 text, CHART_WIDTH pixels wide). */
export function compareChartSvg (run: CompareRun, options: CompareChartOptions): string {
  const gs = groups(run)
  const direct = gs.find((g) => g.label === 'direct')?.path
  const header = 94
  const ps = panels(run)
  const height = header + ps.length * PANEL_HEIGHT + 30
  const body: string[] = []
  body.push(`<rect x="0" y="0" width="${CHART_WIDTH}" height="${height}" fill="#ffffff"/>`)
  body.push(text(HEADER_LEFT, 26, dateLine(run), `font-size="18" font-weight="bold" fill="${INK}"`))
  body.push(text(HEADER_LEFT, 46, machineLine(run), `font-size="12" fill="${MUTED}"`))
  body.push(text(HEADER_LEFT, 62, loadLine(run), `font-size="12" fill="${MUTED}"`))
  body.push(text(HEADER_LEFT, 78, versionLine(run), `font-size="12" fill="${MUTED}"`))
  ps.forEach((panel, i) => { body.push(...renderPanel(panel, gs, direct, header + i * PANEL_HEIGHT)) })
  const source = str(options.source, 1000)
  const caption = `Data: ${source.length > 90 ? `…${source.slice(-89)}` : source} · ×: the bar's figure divided by direct's · n/a: no figure (workload failed or network did not start)`
  body.push(text(HEADER_LEFT, height - 12, caption, `font-size="11" fill="${MUTED}"`))
  const title = dateLine(run)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" font-family="sans-serif" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    ...body,
    '</svg>',
    ''
  ].join('\n')
}
