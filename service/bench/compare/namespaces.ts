/**
 * Network namespaces and processes inside them, for the comparison networks.
 * Names carry the runner's pid (phcmp-<pid>-<role>) so a later run can remove
 * what a killed run left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mustRun, run } from '../../test/harness/runCommand.js'
import { deleteNamespace, removeStaleNamespaces as removeStaleNamespacesWithPrefix } from '../../test/harness/staleNamespaces.js'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const NAMESPACE_PREFIX = 'phcmp-'
const compareDir = dirname(fileURLToPath(import.meta.url))
const fromSource = import.meta.url.endsWith('.ts')

export { run, mustRun, type RunResult as CommandResult } from '../../test/harness/runCommand.js'
export { deleteNamespace } from '../../test/harness/staleNamespaces.js'

export function namespaceName (role: string): string {
  return `${NAMESPACE_PREFIX}${process.pid}-${role}`
}

export async function createNamespace (name: string): Promise<void> {
  await mustRun('ip', ['netns', 'add', name])
  await mustRun('ip', ['-n', name, 'link', 'set', 'lo', 'up'])
}

export async function namespaceExists (name: string): Promise<boolean> {
  const list = await mustRun('ip', ['netns', 'list'])
  return list.stdout.split('\n').some((line) => line.trim().split(/\s+/)[0] === name)
}

/** Removes namespaces (and their processes) left by runs whose process is gone. */
export async function removeStaleNamespaces (): Promise<string[]> {
  return await removeStaleNamespacesWithPrefix(NAMESPACE_PREFIX)
}

/** The routes of a namespace, IPv4 and IPv6, as `ip route` prints them. */
export async function namespaceRoutes (name: string): Promise<string[]> {
  const v4 = await mustRun('ip', ['-n', name, '-4', 'route', 'show', 'table', 'all'])
  const v6 = await mustRun('ip', ['-n', name, '-6', 'route', 'show', 'table', 'all'])
  return [...v4.stdout.split('\n'), ...v6.stdout.split('\n')].map((l) => l.trim()).filter((l) => l !== '')
}

/** A long-running process inside a namespace (`ip netns exec` execs it: the pid is the program's own). */
export class NamespacedProcess {
  readonly child: ChildProcess
  private output = ''
  private exitText: string | null = null
  private readonly watchers: Array<() => void> = []

  constructor (readonly name: string, namespace: string, command: string, args: readonly string[], options: { stdin?: boolean } = {}) {
    this.child = spawn('ip', ['netns', 'exec', namespace, command, ...args], { stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
    const keep = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8')
      if (this.output.length > 200_000) this.output = this.output.slice(-100_000)
      this.wake()
    }
    this.child.stdout?.on('data', keep)
    this.child.stderr?.on('data', keep)
    this.child.on('exit', (code, signal) => { this.exitText = `exited (code ${String(code)}, signal ${String(signal)})`; this.wake() })
    this.child.on('error', (error) => { this.exitText = `failed to start: ${error.message}`; this.wake() })
  }

  get pid (): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid`)
    return this.child.pid
  }

  get text (): string { return this.output }
  get hasExited (): boolean { return this.exitText !== null }

  private wake (): void {
    for (const w of this.watchers.splice(0)) w()
  }

  /** Resolves with the first output match (stdout and stderr together); rejects on timeout or exit. */
  async waitForOutput (pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return await waitUntil(() => pattern.exec(this.output) ?? undefined, `${this.name}: ${String(pattern)}`, timeoutMs, this)
  }

  /** Registers a callback for any new output or exit (used by waitUntil). */
  onChange (callback: () => void): void { this.watchers.push(callback) }

  failureText (): string | null {
    return this.exitText === null ? null : `${this.name} ${this.exitText}; last output:\n${this.output.slice(-3000)}`
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop (graceMs = 3000): Promise<void> {
    if (this.exitText !== null) return
    const exited = new Promise<void>((resolve) => { this.child.once('exit', () => { resolve() }) })
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, graceMs)
    await exited
    clearTimeout(timer)
  }
}

/**
 * Polls `probe` on every change of the watched processes and at least every
 * `pollMs`, until it returns a value; rejects on timeout or when a watched
 * process exits, with its output.
 */
export async function waitUntil<T> (probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs: number, ...watched: NamespacedProcess[]): Promise<T> {
  const deadline = Date.now() + timeoutMs
  const pollMs = 250
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    for (const p of watched) {
      const failure = p.failureText()
      if (failure !== null) throw new Error(`${failure}\n(while waiting for ${what})`)
    }
    const left = deadline - Date.now()
    if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(pollMs, left))
      for (const p of watched) p.onChange(() => { clearTimeout(timer); resolve() })
    })
  }
}

/** True when the bench's own scripts run from source, each with tsx's loader (tens of MiB more resident memory per process). */
export function scriptsRunFromSource (): boolean {
  return fromSource
}

/** Command line (program, args) for a TypeScript file of bench/compare, from source (tsx) or from dist. */
export function nodeScript (relative: string, args: readonly string[]): [string, string[]] {
  const file = join(compareDir, fromSource ? `${relative}.ts` : `${relative}.js`)
  return [process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), file, ...args]]
}

/**
 * Everything a transport creates (namespaces, processes, temporary
 * directories), so that `close()` — from `stop()` or from a signal arriving in
 * the middle of `start()` — removes all of it: once closed, nothing new can be
 * created (start() then fails at its next step), and closing twice waits for
 * the same work.
 */
export class TransportResources {
  private closed = false
  private closing: Promise<void> | null = null
  readonly processes: NamespacedProcess[] = []
  private readonly namespaces: string[] = []
  private readonly directories: string[] = []

  private check (): void {
    if (this.closed) throw new Error('stopped while starting')
  }

  async namespace (name: string): Promise<string> {
    this.check()
    this.namespaces.push(name)
    await createNamespace(name)
    if (this.closed) { await deleteNamespace(name); this.check() }
    return name
  }

  spawn (name: string, namespace: string, command: string, args: readonly string[], options: { stdin?: boolean } = {}): NamespacedProcess {
    this.check()
    const child = new NamespacedProcess(name, namespace, command, args, options)
    this.processes.push(child)
    return child
  }

  async temporaryDirectory (prefix: string): Promise<string> {
    this.check()
    const directory = await mkdtemp(join(tmpdir(), prefix))
    this.directories.push(directory)
    await chmod(directory, 0o700)
    this.check()
    return directory
  }

  async close (): Promise<void> {
    this.closed = true
    this.closing ??= (async () => {
      await Promise.all(this.processes.map(async (p) => { await p.stop(5000) }))
      for (const ns of [...this.namespaces].reverse()) await deleteNamespace(ns)
      for (const d of this.directories) await rm(d, { recursive: true, force: true })
    })()
    await this.closing
  }
}

/** Starts the bench server inside `namespace` and waits until it listens. */
export async function startBenchServer (resources: TransportResources, namespace: string, host: string, port: number): Promise<NamespacedProcess> {
  const [command, args] = nodeScript('workloads/benchServer', ['--host', host, '--port', String(port)])
  const server = resources.spawn('bench-server', namespace, command, args, { stdin: true })
  await server.waitForOutput(/"event":"listening"/, 20_000)
  return server
}

/** Runs one client-driver workload inside `namespace`; resolves with its JSON report line. */
export async function runClient (namespace: string, args: readonly string[], timeoutMs: number): Promise<unknown> {
  const [command, scriptArgs] = nodeScript('workloads/benchClient', args)
  const result = await run('ip', ['netns', 'exec', namespace, command, ...scriptArgs], timeoutMs)
  const line = result.stdout.trim().split('\n').pop() ?? ''
  let parsed: unknown
  try { parsed = JSON.parse(line) } catch { throw new Error(`client driver printed no report (code ${result.code}): ${result.stdout}${result.stderr}`) }
  if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) throw new Error(`client driver: ${String((parsed as { error: unknown }).error)}`)
  return parsed
}
