/**
 * Path build time over the real libp2p stack (TCP, Noise, yamux, identify) on
 * loopback: one owner builds N paths one after another with the default
 * settings (x = 3, 0–2 extra Y, exit and entry alternating). By default the
 * other nodes are separate processes (bench/pathBuildNode.ts);
 * `--in-process` runs them all in this process instead (one event loop).
 * Prints p50 / p99 of the build time (sampling to ready block) and the
 * success rate (first attempt, no rebuilds). Not a timed test.
 * Run: npx tsx bench/pathBuild.ts [--builds 100] [--nodes 20] [--in-process]
 *  (or node dist/bench/pathBuild.js …)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { PathLab } from '../test/path/network/pathLab.js'
import { sampledNodeFrom } from '../test/path/network/pathLab.js'

function arg (name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const v = Number(process.argv[i + 1])
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} needs a positive integer`)
  return v
}

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] as number
}

interface NodeInfo { peerId: string, addrs: string[], pbk: string }

/** Starts one relay node process and resolves with what it announces. */
async function startNodeProcess (): Promise<{ child: ChildProcess, info: NodeInfo }> {
  const ts = import.meta.url.endsWith('.ts')
  const entry = fileURLToPath(new URL(ts ? './pathBuildNode.ts' : './pathBuildNode.js', import.meta.url))
  const child = spawn(process.execPath, ts ? ['--import', 'tsx', entry] : [entry], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout! })
  const info = await new Promise<NodeInfo>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('node process did not start within 60 s')) }, 60_000)
    lines.once('line', (line) => { clearTimeout(timer); resolve(JSON.parse(line) as NodeInfo) })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`node process exited with ${String(code)}`)) })
  })
  return { child, info }
}

const builds = arg('builds', 100)
const nodeCount = arg('nodes', 20)
const inProcess = process.argv.includes('--in-process')
const children: ChildProcess[] = []
const lab = await PathLab.start(inProcess ? nodeCount : 1, { settings: { diversity: false } })
try {
  if (!inProcess) {
    for (let i = 1; i < nodeCount; i += 4) {
      const started = await Promise.all(Array.from({ length: Math.min(4, nodeCount - i) }, startNodeProcess))
      for (const { child, info } of started) {
        children.push(child)
        const id = peerIdFromString(info.peerId)
        lab.external.push(sampledNodeFrom(id.toMultihash().bytes, info.peerId, info.addrs.map((a) => multiaddr(a)), Buffer.from(info.pbk, 'hex')))
      }
    }
  }
  const owner = lab.nodes[0]!
  const times: number[] = []
  const phases = { planMs: [] as number[], round1Ms: [] as number[], round2Ms: [] as number[], linkMs: [] as number[] }
  const failures: string[] = []
  const open: string[] = []
  for (let i = 0; i < builds; i++) {
    const kind = i % 2 === 0 ? 'exit' : 'entry'
    const result = await owner.service.buildPath(kind, { maxAttempts: 1 })
    const attempt = result.attempts[0]!
    if (result.ok && result.path != null) {
      times.push(attempt.timings.totalMs)
      for (const k of Object.keys(phases) as Array<keyof typeof phases>) phases[k].push(attempt.timings[k])
      open.push(result.path.id)
      // keep the usual 2 exit + 2 entry paths open, like a running node
      if (open.length > 4) owner.service.closePath(open.shift()!)
    } else {
      failures.push(`${attempt.stage ?? '?'}: ${attempt.reason ?? ''}`)
    }
  }
  const sorted = times.slice().sort((a, b) => a - b)
  const med = (xs: number[]): number => percentile(xs.slice().sort((a, b) => a - b), 50)
  console.log(`path builds: ${builds} in a ${nodeCount}-node loopback network (${inProcess ? 'in-process libp2p hosts, one event loop' : `owner + ${nodeCount - 1} node processes`}), x = 3, ring of 8–10`)
  console.log(`success   ${(100 * times.length / builds).toFixed(1)} % (${times.length}/${builds}, first attempt, no rebuild)`)
  console.log(`p50       ${percentile(sorted, 50).toFixed(0)} ms`)
  console.log(`p99       ${percentile(sorted, 99).toFixed(0)} ms`)
  console.log(`min/max   ${sorted[0]?.toFixed(0) ?? '-'} / ${sorted[sorted.length - 1]?.toFixed(0) ?? '-'} ms`)
  console.log(`median phases: plan ${med(phases.planMs)} ms, round 1 ${med(phases.round1Ms)} ms, round 2 ${med(phases.round2Ms)} ms, link ${med(phases.linkMs)} ms`)
  for (const f of failures.slice(0, 10)) console.log(`failure: ${f}`)
} finally {
  await lab.stop()
  await Promise.all(children.map(async (c) => await new Promise<void>((resolve) => {
    c.once('exit', () => { resolve() })
    c.stdin?.end()
    setTimeout(() => { c.kill('SIGKILL') }, 10_000).unref()
  })))
}
