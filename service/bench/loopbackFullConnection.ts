/**
 * The full connection the loopback benchmarks measure (fullConnection.ts,
 * daemonMemory.ts): 12 daemon processes on 127.0.0.1; A (node 0) keeps one
 * 3-hop exit path and runs the SOCKS5 proxy; B (node 1) keeps one 3-hop entry
 * path and maps a port of its AP address to the comparison's bench server
 * (bench/compare/workloads/benchServer.ts), which runs as a child process.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ProcessNetwork } from '../test/harness/processNetwork.js'
import { freePort } from '../test/harness/freePort.js'
import { waitFor } from '../test/harness/waitFor.js'
import type { ConnectTarget } from './compare/transport.js'

export const FULL_CONNECTION_NODES = 12
const SERVICE_PORT = 7000

export interface LoopbackFullConnection {
  net: ProcessNetwork
  /** The bench server straight over loopback (the reference). */
  direct: ConnectTarget
  /** The bench server through A's SOCKS5 proxy to B's `.phantom` name. */
  phantom: ConnectTarget
  bName: string
  stop: () => Promise<void>
}

async function startBenchServer (port: number): Promise<() => void> {
  const ts = import.meta.url.endsWith('.ts')
  const entry = fileURLToPath(new URL(ts ? './compare/workloads/benchServer.ts' : './compare/workloads/benchServer.js', import.meta.url))
  const child = spawn(process.execPath, [...(ts ? ['--import', 'tsx'] : []), entry, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (l) => { if (l.includes('"listening"')) resolve() })
    child.once('exit', (code) => { reject(new Error(`bench server exited ${code}`)) })
  })
  return () => { child.kill() }
}

/** Starts it and waits (bounded) until A has a session to B. */
export async function startLoopbackFullConnection (): Promise<LoopbackFullConnection> {
  const serverPort = await freePort()
  const stopServer = await startBenchServer(serverPort)
  const socksPort = await freePort()
  let net: ProcessNetwork | undefined
  try {
    process.stderr.write(`starting ${FULL_CONNECTION_NODES} daemons…\n`)
    net = await ProcessNetwork.start(FULL_CONNECTION_NODES, {
      readyTimeoutMs: 180_000,
      config: { log: { level: 'warn' } },
      configFor: (i) => i === 0
        ? { path: { count: { exit: 1, entry: 0 }, diversity: false }, socks: { enabled: true, listen: `127.0.0.1:${socksPort}` } }
        : i === 1 ? { path: { count: { exit: 0, entry: 1 }, diversity: false }, services: [{ port: SERVICE_PORT, target: `127.0.0.1:${serverPort}` }] } : {}
    })
    const [a, b] = [net.nodes[0]!, net.nodes[1]!]
    const bName = (await b.status()).ap[0]!.name
    await waitFor('ready paths and a session from A to B', async () => {
      const pa = (await a.status()).paths.some((p) => p.kind === 'exit' && p.state === 'ready')
      const pb = (await b.status()).paths.some((p) => p.kind === 'entry' && p.state === 'ready')
      if (!pa || !pb) return false
      return await a.call('session.ping', { target: bName }).then(() => true, () => false)
    }, 300_000, 1000)
    const started = net
    return {
      net,
      bName,
      direct: { kind: 'tcp', host: '127.0.0.1', port: serverPort },
      phantom: { kind: 'socks5', proxyHost: '127.0.0.1', proxyPort: socksPort, host: bName, port: SERVICE_PORT, isolate: false },
      stop: async () => { await started.destroy(); stopServer() }
    }
  } catch (err) {
    await net?.destroy()
    stopServer()
    throw err
  }
}
