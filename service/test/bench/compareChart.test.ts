import assert from 'node:assert/strict'
import fc from 'fast-check'
import { chartRatio, chartSourceName, compareChartSvg, escapeXml, formatFigure } from '../../bench/compare/compareChart.js'
import type { BulkFigures, CompareRun, PathResult } from '../../bench/compare/compareResults.js'
import { allElements, parseStrictXml, textContent, XmlSyntaxError, type XmlElement } from './strictXml.js'

const WORKLOADS = ['bulk1', 'bulk8', 'echo', 'firstByte', 'firstByteNew'] as const
type Workload = typeof WORKLOADS[number]

function bulk (streams: number, mbitPerSecond: number): BulkFigures {
  return { workload: 'bulk', streams, bytes: 1, seconds: 10, mbitPerSecond, totalBytes: 1, setupMs: 1, nodeCpuSecondsPerGiB: null, endpointCpuSecondsPerGiB: 1 }
}

interface Figures { bulk1?: number, bulk8?: number, echo?: [number, number], firstByte?: [number, number], firstByteNew?: [number, number] }

function path (label: string, f: Figures, transport = label): PathResult {
  const p: PathResult = { label, transport, description: `${label} path`, memory: [], errors: [] }
  if (f.bulk1 !== undefined) p.bulk1 = bulk(1, f.bulk1)
  if (f.bulk8 !== undefined) p.bulk8 = bulk(8, f.bulk8)
  if (f.echo !== undefined) p.echo = { workload: 'echo', roundTrips: 1000, p50Ms: f.echo[0], p99Ms: f.echo[1], meanMs: f.echo[0], maxMs: f.echo[1] }
  if (f.firstByte !== undefined) p.firstByte = { workload: 'first-byte', connections: 20, p50Ms: f.firstByte[0], p99Ms: f.firstByte[1], minMs: 0, maxMs: f.firstByte[1], timesMs: [] }
  if (f.firstByteNew !== undefined) p.firstByteNew = { workload: 'first-byte', connections: 5, p50Ms: f.firstByteNew[0], p99Ms: f.firstByteNew[1], minMs: 0, maxMs: f.firstByteNew[1], timesMs: [] }
  return p
}

function run (paths: PathResult[], transports: CompareRun['transports'] = paths.map((p) => ({ name: p.transport, startSeconds: 1, notes: {} }))): CompareRun {
  return {
    date: '2026-11-22T09:05:32.716Z',
    quick: false,
    settings: { bulkSeconds: 10, echoRoundTrips: 1000, firstByteConnections: 20 },
    machine: { cpus: 2, model: 'AMD EPYC', memGiB: 24, node: 'v24.9.0', kernel: '6.18.44' },
    loadAverageBefore: [12.42, 9.13, 7.87],
    loadAverageAfter: [10.72, 8.95, 8.09],
    transports,
    paths
  }
}

/** Figures like the 2026-11-22 09:05 run (build/bench/compare-2026-11-22T09-05-32.json). */
const SAMPLE = run([
  path('direct', { bulk1: 7114.9, bulk8: 7162.2, echo: [0.0605, 3.146], firstByte: [0.744, 8.06] }),
  path('yggdrasil', { bulk1: 1290.2, bulk8: 1417.2, echo: [0.522, 2.14], firstByte: [3.19, 11.7] }),
  path('tor-onion', { bulk1: 29.26, bulk8: 114.2, echo: [16.1, 64.3], firstByte: [192.4, 251] }, 'tor'),
  path('tor-exit', { bulk1: 100.07, bulk8: 229.3, echo: [8.01, 51.8], firstByte: [47.3, 216] }, 'tor'),
  path('phantom-tun', { bulk1: 70.47, bulk8: 89.5, echo: [8.45, 60.8], firstByte: [41.1, 95.2], firstByteNew: [171.3, 240.5] }, 'phantom'),
  path('phantom-socks', { bulk1: 76.23, bulk8: 91.07, echo: [6.23, 64.6], firstByte: [19.4, 35.9], firstByteNew: [163.8, 402.1] }, 'phantom')
])

function bars (root: XmlElement): XmlElement[] {
  return allElements(root).filter((e) => e.name === 'rect' && e.attrs.get('class') === 'bar')
}

function num (el: XmlElement, attr: string): number {
  const v = Number(el.attrs.get(attr))
  assert.ok(Number.isFinite(v), `${el.name} ${attr}=${String(el.attrs.get(attr))}`)
  return v
}

/** Which workloads of a path have a figure a log scale can show. */
function present (p: PathResult): Workload[] {
  const ok = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0
  return WORKLOADS.filter((w) => ok(figureOf(p, w)))
}

function figureOf (p: PathResult, w: Workload): number | undefined {
  return w === 'bulk1' ? p.bulk1?.mbitPerSecond : w === 'bulk8' ? p.bulk8?.mbitPerSecond : w === 'echo' ? p.echo?.p50Ms : w === 'firstByte' ? p.firstByte?.p50Ms : p.firstByteNew?.p50Ms
}

/**
 * On each panel: the bars stand on one baseline, and a larger value never has
 * a shorter bar (coordinates are rounded to 0.1 px); with `strict`, values
 * more than 1 % apart have bars of different heights.
 */
function checkHeights (root: XmlElement, strict: boolean): void {
  for (const panel of [['bulk1', 'bulk8'], ['echo'], ['firstByte', 'firstByteNew']]) {
    const mine = bars(root).filter((b) => panel.includes(b.attrs.get('data-workload') ?? ''))
    if (strict) assert.ok(mine.length > 1)
    const baselines = new Set(mine.map((b) => Math.round(num(b, 'y') + num(b, 'height'))))
    assert.ok(baselines.size <= 1, `one baseline on ${panel.join('/')}`)
    const sorted = mine.map((b) => ({ value: num(b, 'data-value'), height: num(b, 'height') })).sort((a, b) => a.value - b.value)
    for (let i = 1; i < sorted.length; i++) {
      const [a, b] = [sorted[i - 1], sorted[i]] as [{ value: number, height: number }, { value: number, height: number }]
      assert.ok(b.height >= a.height, `${a.value} → ${a.height}, ${b.value} → ${b.height}`)
      if (strict && b.value > a.value * 1.01) assert.ok(b.height > a.height, `${a.value} → ${a.height}, ${b.value} → ${b.height}`)
    }
  }
}

describe('comparison chart (SVG)', () => {
  it('the strict XML reader accepts well-formed XML and rejects malformed XML', () => {
    const ok = parseStrictXml('<?xml version="1.0" encoding="UTF-8"?>\n<!-- c -->\n<a x="1" y=\'&lt;&#38;&#x41;\'><b/>t &amp; u<c></c></a>\n')
    assert.equal(ok.name, 'a')
    assert.equal(ok.attrs.get('y'), '<&A')
    assert.equal(textContent(ok), 't & u')
    for (const bad of [
      '<a>', '<a></b>', '<a x=1/>', '<a x="1" x="2"/>', '<a x="<"/>', '<a>&</a>', '<a>&nbsp;</a>', '<a>&#0;</a>', '<a/><b/>',
      'text<a/>', '<a/>text', '<a>\u0001</a>', '<a>\ud800</a>', '<!DOCTYPE a><a/>', '<a><![CDATA[x]]></a>', '<a>]]></a>', '<a><!-- x -- y --></a>', '<a b="1"c="2"/>', ''
    ]) {
      assert.throws(() => parseStrictXml(bad), XmlSyntaxError, JSON.stringify(bad))
    }
  })

  it('draws one bar per path and workload, each carrying its figure, for a full run', () => {
    const svg = compareChartSvg(SAMPLE, { source: 'build/bench/compare-2026-11-22T09-05-32.json' })
    const root = parseStrictXml(svg)
    assert.equal(root.name, 'svg')
    assert.equal(root.attrs.get('xmlns'), 'http://www.w3.org/2000/svg')
    assert.equal(root.attrs.get('width'), '900')
    const found = bars(root)
    const phantom = SAMPLE.paths.filter((p) => p.firstByteNew !== undefined).length
    assert.equal(phantom, 2)
    assert.equal(found.length, SAMPLE.paths.length * (WORKLOADS.length - 1) + phantom)
    for (const p of SAMPLE.paths) {
      for (const w of WORKLOADS) {
        const mine = found.filter((b) => b.attrs.get('data-path') === p.label && b.attrs.get('data-workload') === w)
        const expected = figureOf(p, w)
        assert.equal(mine.length, expected === undefined ? 0 : 1, `${p.label} ${w}`)
        if (expected !== undefined) assert.equal(num(mine[0] as XmlElement, 'data-value'), expected)
      }
    }
    // Only the Phantom paths measure new destinations; the others leave the slot empty, without "n/a".
    assert.equal(allElements(root).filter((e) => e.attrs.get('class') === 'missing').length, 0)
    // p99 markers for the two latency workloads, and a max marker for new destinations.
    const markers = allElements(root).filter((e) => e.attrs.get('class') === 'marker')
    assert.equal(markers.length, SAMPLE.paths.length * 2 + phantom)
    assert.ok(allElements(root).filter((e) => e.name === 'text').map(textContent).includes('max 402'), 'the max marker of new destinations')
    const texts = allElements(root).filter((e) => e.name === 'text').map(textContent)
    assert.ok(texts.includes('7115') && texts.includes('0.060') && texts.includes('p99 64.3'), 'values printed on the bars')
    assert.ok(texts.includes('×0.0041'), 'ratio of tor-onion 1 stream to direct')
    assert.ok(texts.some((t) => t.includes('2026-11-22 09:05 UTC')), 'the date in the title')
    assert.ok(texts.some((t) => t.includes('AMD EPYC')), 'the machine line')
    assert.ok(texts.some((t) => t.includes('12.42 / 9.13 / 7.87 before') && t.includes('busy')), 'the load line')
    assert.ok(texts.some((t) => t.includes('Data: build/bench/compare-2026-11-22T09-05-32.json')), 'the caption names the file')
    assert.ok(!/<script|href=|@import|url\(/i.test(svg), 'self-contained')
  })

  it('bar heights grow with the values on each panel, all from one baseline', () => {
    checkHeights(parseStrictXml(compareChartSvg(SAMPLE, { source: 'x.json' })), true)
  })

  it('a missing figure and a network that did not start have no bar and say n/a', () => {
    const partial = path('tor-exit', { bulk1: 88.8, echo: [8.0, 72.1], firstByte: [40.2, 2833] }, 'tor')
    partial.errors.push('bulk, 8 streams: timeout')
    const r = run([path('direct', { bulk1: 7000, bulk8: 7100, echo: [0.06, 3], firstByte: [0.7, 8] }), partial], [
      { name: 'direct', startSeconds: 2, notes: {} },
      { name: 'tor', startSeconds: 80, notes: {} },
      { name: 'phantom', startSeconds: 3, notes: {}, error: 'daemon exited' }
    ])
    const root = parseStrictXml(compareChartSvg(r, { source: 'x.json' }))
    const found = bars(root)
    assert.equal(found.length, 4 + 3)
    assert.equal(found.filter((b) => b.attrs.get('data-path') === 'tor-exit' && b.attrs.get('data-workload') === 'bulk8').length, 0)
    assert.equal(found.filter((b) => b.attrs.get('data-path') === 'phantom').length, 0)
    const missing = allElements(root).filter((e) => e.attrs.get('class') === 'missing')
    const key = (e: XmlElement): string => `${e.attrs.get('data-path') ?? ''} ${e.attrs.get('data-workload') ?? ''}`
    assert.deepEqual(missing.map(key).sort(), ['phantom bulk1', 'phantom bulk8', 'phantom echo', 'phantom firstByte', 'tor-exit bulk8'])
    for (const m of missing) assert.equal(textContent(m), 'n/a')
    const texts = allElements(root).filter((e) => e.name === 'text').map(textContent)
    assert.ok(texts.includes('did not start'))
    assert.ok(texts.includes('1 workload error'))
  })

  it('escapes every text it embeds', () => {
    const label = 'a<b & "c" \'d\''
    const r = run([path(label, { bulk1: 5, bulk8: 6 }), path('direct', { bulk1: 50, bulk8: 60 })])
    r.machine.model = '<script>alert(1)</script></svg>\u0001'
    r.transports.push({ name: 'x&y', startSeconds: 0, notes: { 'x version': '1 < 2 \ud800' }, error: 'no' })
    const svg = compareChartSvg(r, { source: 'dir/<odd> & "file".json' })
    const root = parseStrictXml(svg)
    assert.ok(!svg.includes('<script') && !svg.includes('<b ') && !svg.includes('<odd>'))
    const texts = allElements(root).filter((e) => e.name === 'text').map(textContent)
    assert.ok(texts.includes(label), 'the label reads back unchanged')
    assert.ok(texts.includes('x&y'))
    assert.ok(texts.some((t) => t.includes('<script>alert(1)</script></svg>\ufffd')))
    assert.ok(texts.some((t) => t.includes('x&y: 1 < 2 \ufffd')))
    assert.ok(texts.some((t) => t.includes('dir/<odd> & "file".json')))
    assert.equal(bars(root).filter((b) => b.attrs.get('data-path') === label).length, 2)
    assert.equal(escapeXml('<&>"\''), '&lt;&amp;&gt;&quot;&apos;')
    assert.equal(escapeXml('\u0000\ud83d\ude00\udc00'), '\ufffd\ud83d\ude00\ufffd')
  })

  it('formats figures and ratios and names the source file', () => {
    assert.deepEqual([7114.9, 229.3, 16.12, 3.146, 0.0605, 0.00012, 2.5e7].map(formatFigure), ['7115', '229', '16.1', '3.15', '0.060', '0.00012', '2.50e+7'])
    assert.equal(chartRatio(29.26, 7114.9), '×0.0041')
    assert.equal(chartRatio(16.1, 0.0605), '×266')
    assert.equal(chartRatio(1.5, 1), '×1.5')
    assert.equal(chartRatio(1, undefined), undefined)
    assert.equal(chartSourceName('/repo/build/bench/c.json', '/repo'), 'build/bench/c.json')
    assert.equal(chartSourceName('/elsewhere/c.json', '/repo'), '/elsewhere/c.json')
  })

  const number = fc.oneof(
    fc.double({ noDefaultInfinity: false }),
    fc.double({ min: 1e-6, max: 1e5, noNaN: true }),
    fc.constantFrom(0, -1, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE)
  )
  const text = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('<', '&amp;', '"\'', '\ud800', '\u0000', ']]>', '--', ''))
  const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined })
  const pathArb = fc.record({
    label: text,
    transport: text,
    bulk1: maybe(number),
    bulk8: maybe(number),
    echo: maybe(fc.tuple(number, number)),
    firstByte: maybe(fc.tuple(number, number)),
    firstByteNew: maybe(fc.tuple(number, number)),
    errors: fc.array(text, { maxLength: 2 })
  }).map((g) => {
    const p = path(g.label, { bulk1: g.bulk1, bulk8: g.bulk8, echo: g.echo, firstByte: g.firstByte, firstByteNew: g.firstByteNew }, g.transport)
    p.errors = g.errors
    return p
  })
  const runArb = fc.record({
    paths: fc.array(pathArb, { maxLength: 12 }),
    transports: fc.array(fc.record({ name: text, startSeconds: number, notes: fc.dictionary(text, text, { maxKeys: 3 }), error: maybe(text) }), { maxLength: 5 }),
    date: text,
    quick: fc.boolean(),
    settings: fc.record({ bulkSeconds: number, echoRoundTrips: number, firstByteConnections: number }),
    machine: fc.record({ cpus: number, model: text, memGiB: number, node: text, kernel: text }),
    loadAverageBefore: fc.array(number, { maxLength: 3 }),
    loadAverageAfter: fc.array(number, { maxLength: 3 })
  }).map((r): CompareRun => r)

  it('never throws and always writes well-formed SVG with one bar per present figure (random runs)', () => {
    fc.assert(fc.property(runArb, text, (r, source) => {
      const root = parseStrictXml(compareChartSvg(r, { source }))
      const expected = r.paths.reduce((n, p) => n + present(p).length, 0)
      assert.equal(bars(root).length, expected)
      checkHeights(root, false)
      for (const el of allElements(root)) {
        for (const attr of ['x', 'y', 'width', 'height', 'x1', 'y1', 'x2', 'y2']) {
          if (el.attrs.has(attr)) num(el, attr)
        }
        if (el.name === 'rect') assert.ok(num(el, 'height') >= 0 && num(el, 'width') >= 0)
      }
    }), { numRuns: 200 })
  })

  it('never throws on result files of the wrong shape', () => {
    const loose = fc.dictionary(fc.constantFrom('date', 'quick', 'settings', 'machine', 'loadAverageBefore', 'loadAverageAfter', 'transports', 'paths'), fc.oneof(
      fc.anything(),
      fc.array(fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom('label', 'transport', 'name', 'notes', 'error', 'errors', 'bulk1', 'bulk8', 'echo', 'firstByte', 'firstByteNew'), fc.anything())), { maxLength: 4 })
    ))
    fc.assert(fc.property(loose, (r) => {
      parseStrictXml(compareChartSvg(r as unknown as CompareRun, { source: 'f.json' }))
    }), { numRuns: 200 })
  })
})
