/** The comparison's bench server (bench/compare/workloads/benchServer.ts) as a child process on 127.0.0.1, for the loopback benchmarks. */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** Starts it on `port`; resolves once it listens, with a function that stops it. */
export async function startLoopbackBenchServer (port: number): Promise<() => void> {
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
