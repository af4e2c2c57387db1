/**
 * The workloads, independent of the network: each opens connections to a
 * ConnectTarget (plain TCP or SOCKS5) and talks the bench protocol.
 */
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { summarizeLatencies } from '../latencySummary.js'
import type { ConnectTarget } from '../transport.js'
import { BenchMode, ECHO_BYTES } from './benchProtocol.js'
import { socks5Connect } from './socks5Connect.js'
import type { BulkResult, EchoResult, FirstByteResult } from './workloadResults.js'

/** A connected socket to the bench server, paused. A fresh isolation identity unless `isolation` is given. */
export async function openConnection (target: ConnectTarget, timeoutMs: number, isolation?: string): Promise<Socket> {
  if (target.kind === 'socks5') {
    const id = isolation ?? randomBytes(8).toString('hex')
    return await socks5Connect({
      proxyHost: target.proxyHost,
      proxyPort: target.proxyPort,
      host: target.host,
      port: target.port,
      timeoutMs,
      ...(target.isolate ? { credentials: { username: `bench-${id}`, password: 'x' } } : {})
    })
  }
  return await new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port })
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`connect to ${target.host}:${target.port} timed out after ${timeoutMs} ms`)) }, timeoutMs)
    socket.once('connect', () => { clearTimeout(timer); socket.off('error', reject); socket.pause(); resolve(socket) })
    socket.once('error', (error) => { clearTimeout(timer); reject(error) })
  })
}

/** Resolves when `ms` have passed: the measurement window, not a wait for a condition. */
async function windowOf (ms: number): Promise<void> {
  await new Promise<void>((resolve) => { setTimeout(resolve, ms) })
}

/**
 * Bulk download over `streams` connections at once (each its own circuit where
 * the target isolates). The window opens when every stream has delivered its
 * first byte and lasts `seconds`.
 */
export async function bulkThroughput (target: ConnectTarget, streams: number, seconds: number, timeoutMs: number): Promise<BulkResult> {
  const started = performance.now()
  const sockets: Socket[] = []
  let counting = false
  let finished = false
  let windowBytes = 0
  let totalBytes = 0
  let firstBytes = 0
  let allFlowing: () => void = () => {}
  const flowing = new Promise<void>((resolve) => { allFlowing = resolve })
  let failure: Error | null = null
  try {
    await Promise.all(Array.from({ length: streams }, async (_, i) => {
      const socket = await openConnection(target, timeoutMs, `${randomBytes(6).toString('hex')}-${i}`)
      sockets.push(socket)
      let first = true
      socket.on('data', (chunk: Buffer) => {
        totalBytes += chunk.length
        if (counting) windowBytes += chunk.length
        if (first) { first = false; if (++firstBytes === streams) allFlowing() }
      })
      socket.on('error', (error) => { failure ??= error })
      socket.on('close', () => { if (!finished) failure ??= new Error(counting ? 'a bulk stream closed during the window' : 'a bulk stream closed before the window') })
      socket.write(Buffer.from([BenchMode.download]))
      socket.resume()
    }))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([flowing, new Promise<void>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`only ${firstBytes}/${streams} streams delivered data within ${timeoutMs} ms`)) }, timeoutMs) })])
    clearTimeout(timer)
    const setupMs = performance.now() - started
    counting = true
    const t0 = performance.now()
    await windowOf(seconds * 1000)
    const elapsed = (performance.now() - t0) / 1000
    counting = false
    finished = true
    const bytes = windowBytes
    if (failure !== null) throw failure
    return { workload: 'bulk', streams, bytes, seconds: elapsed, mbitPerSecond: bytes * 8 / elapsed / 1e6, totalBytes, setupMs }
  } finally {
    finished = true // closes are expected from here on
    for (const s of sockets) s.destroy()
  }
}

/** Reads exactly `count` bytes from a flowing socket, bounded in time. */
class ExactReader {
  private buffered = 0
  private waiter: { count: number, resolve: () => void } | null = null
  private error: Error | null = null

  constructor (socket: Socket) {
    socket.on('data', (chunk: Buffer) => { this.buffered += chunk.length; this.check() })
    socket.on('error', (error) => { this.fail(error) })
    socket.on('close', () => { this.fail(new Error('connection closed')) })
  }

  private fail (error: Error): void {
    this.error ??= error
    this.check()
  }

  private check (): void {
    if (this.waiter !== null && (this.buffered >= this.waiter.count || this.error !== null)) {
      const w = this.waiter
      this.waiter = null
      w.resolve()
    }
  }

  async read (count: number, timeoutMs: number): Promise<void> {
    if (this.buffered < count && this.error === null) {
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.waiter = { count, resolve }
        timer = setTimeout(() => { this.fail(new Error(`no answer within ${timeoutMs} ms`)) }, timeoutMs)
      })
      clearTimeout(timer)
    }
    if (this.buffered < count) throw this.error ?? new Error('short read')
    this.buffered -= count
  }
}

/**
 * 64-byte round trips on one connection, one at a time: back to back
 * (`intervalMs` 0), or each sent `intervalMs` after the previous one was sent
 * (or at once, if its answer took longer), as ping does: then every process
 * on the path has gone idle before each round trip, and the figure includes
 * waking them.
 */
export async function echoRoundTrips (target: ConnectTarget, roundTrips: number, timeoutMs: number, intervalMs = 0): Promise<EchoResult> {
  const socket = await openConnection(target, timeoutMs)
  socket.setNoDelay(true)
  try {
    const reader = new ExactReader(socket)
    socket.resume()
    const payload = randomBytes(ECHO_BYTES)
    socket.write(Buffer.concat([Buffer.from([BenchMode.echo]), payload]))
    await reader.read(ECHO_BYTES, timeoutMs) // warm-up: the first round trip also opens the stream at the far end
    const rtts: number[] = []
    let previousSend = performance.now()
    for (let i = 0; i < roundTrips; i++) {
      // timers may fire up to a millisecond early: wait again until the slot has come
      for (let wait = previousSend + intervalMs - performance.now(); intervalMs > 0 && wait > 0; wait = previousSend + intervalMs - performance.now()) {
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)))
      }
      const t = performance.now()
      previousSend = t
      socket.write(payload)
      await reader.read(ECHO_BYTES, timeoutMs)
      rtts.push(performance.now() - t)
    }
    const s = summarizeLatencies(rtts)
    return { workload: 'echo', roundTrips, intervalMs, p50Ms: s.p50, p99Ms: s.p99, meanMs: s.mean, maxMs: s.max }
  } finally {
    socket.destroy()
  }
}

/**
 * Time from starting a fresh connection (fresh circuit where the target
 * isolates) until the server's first byte, one connection per entry of
 * `targets`, one after another. The same target repeated measures fresh
 * connections to a known destination; distinct targets, destinations never
 * contacted before.
 */
export async function firstByteTimes (targets: readonly ConnectTarget[], timeoutMs: number): Promise<FirstByteResult> {
  const times: number[] = []
  for (const target of targets) {
    const t = performance.now()
    const socket = await openConnection(target, timeoutMs)
    try {
      const reader = new ExactReader(socket)
      socket.resume()
      socket.write(Buffer.from([BenchMode.firstByte]))
      await reader.read(1, timeoutMs)
      times.push(performance.now() - t)
    } finally {
      socket.destroy()
    }
  }
  const s = summarizeLatencies(times)
  return { workload: 'first-byte', connections: targets.length, p50Ms: s.p50, p99Ms: s.p99, minMs: s.min, maxMs: s.max, timesMs: times.map((t) => Math.round(t * 100) / 100) }
}
