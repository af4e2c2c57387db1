/**
 * Bulk throughput with iperf3 (Debian's `iperf3`) where the path is plain IP:
 * the kernel's upper bound next to the Node driver's figure. Reverse mode
 * (-R): the server sends, like the bench protocol's download.
 */
import { NamespacedProcess, run } from '../namespaces.js'

export const IPERF3_PORT = 5201

export interface Iperf3Result { streams: number, seconds: number, mbitPerSecond: number, retransmits: number | null }

/** Received throughput from `iperf3 -J` output (end.sum_received), strictly. */
export function parseIperf3Json (text: string): { bitsPerSecond: number, seconds: number, retransmits: number | null } {
  let parsed: unknown
  try { parsed = JSON.parse(text) } catch { throw new Error('iperf3 printed no JSON') }
  const root = parsed as { error?: unknown, end?: { sum_received?: { bits_per_second?: unknown, seconds?: unknown }, sum_sent?: { retransmits?: unknown } } }
  if (typeof root.error === 'string') throw new Error(`iperf3: ${root.error}`)
  const received = root.end?.sum_received
  const bps = received?.bits_per_second
  const seconds = received?.seconds
  if (typeof bps !== 'number' || !Number.isFinite(bps) || bps < 0 || typeof seconds !== 'number' || !Number.isFinite(seconds)) throw new Error('iperf3 JSON has no end.sum_received')
  const retransmits = root.end?.sum_sent?.retransmits
  return { bitsPerSecond: bps, seconds, retransmits: typeof retransmits === 'number' ? retransmits : null }
}

/** One iperf3 test from `clientNamespace` to the server it starts in `serverNamespace`. */
export async function iperf3Throughput (serverNamespace: string, clientNamespace: string, host: string, streams: number, seconds: number): Promise<Iperf3Result> {
  const server = new NamespacedProcess('iperf3-server', serverNamespace, 'iperf3', ['-s', '-1', '--forceflush', '-p', String(IPERF3_PORT)])
  try {
    await server.waitForOutput(/Server listening/, 15_000)
    const client = await run('ip', ['netns', 'exec', clientNamespace, 'iperf3', '-c', host, '-p', String(IPERF3_PORT), '-t', String(seconds), '-P', String(streams), '-R', '-J'], (seconds + 30) * 1000)
    const r = parseIperf3Json(client.stdout)
    return { streams, seconds: r.seconds, mbitPerSecond: r.bitsPerSecond / 1e6, retransmits: r.retransmits }
  } finally {
    await server.stop()
  }
}
