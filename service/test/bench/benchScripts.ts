/** Starts the bench's own scripts (bench server, forwarder) as child processes on loopback, from source or from dist. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const fromSource = import.meta.url.endsWith('.ts')

export interface ListeningScript {
  child: ChildProcessWithoutNullStreams
  port: number
  /** Closes its stdin (the scripts exit then) and waits for the exit. */
  stop: () => Promise<void>
}

/** Runs bench/compare/workloads/<name> with `args` and resolves once it printed its "listening" line. */
export async function startListeningScript (name: 'benchServer' | 'tcpForwarder', args: string[]): Promise<ListeningScript> {
  const script = join(here, '../../bench/compare/workloads', fromSource ? `${name}.ts` : `${name}.js`)
  const child = spawn(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      const event = JSON.parse(line) as { event: string, port: number }
      if (event.event === 'listening') resolve(event.port); else reject(new Error(line))
    })
    child.once('close', (code) => { reject(new Error(`${name} exited (${String(code)}): ${stderr}`)) })
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => { child.once('exit', resolve) })
    child.stdin.end()
    await exited
  }
  return { child, port, stop }
}
