import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { ControlClient } from '../../src/control/controlClient.js'
import type { NodeStatus } from '../../src/daemon/phantomNode.js'
import { daemonEntry } from './repoPaths.js'
import { DAEMON_NODE_FLAGS } from '../../src/daemon/nodeRuntimeFlags.js'
import { waitFor } from './waitFor.js'

export interface ProcessNodeOptions {
  /** Reuse an existing data directory (restart tests). */
  dataDir?: string
  bootstrap?: string[]
  /** Extra configuration merged over the test defaults. */
  config?: Record<string, unknown>
  name?: string
  /** Run the daemon inside this network namespace (`ip netns exec`; root only). */
  netns?: string
}

/**
 * Opt-in extra Node flags for every daemon a test or bench spawns, for
 * profiling: PHANTOM_DAEMON_NODE_FLAGS, separated by spaces, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` (each process writes its own file).
 */
export function extraDaemonNodeFlags (env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.PHANTOM_DAEMON_NODE_FLAGS ?? '').split(' ').filter((f) => f.length > 0)
}

/**
 * One phantom-node daemon in its own process, on loopback, with its own
 * temporary directory (config, data, control socket, log).
 */
export class ProcessNode {
  private child: ChildProcess | undefined
  private logStream: WriteStream | undefined
  private exit: Promise<number | null> | undefined
  client: ControlClient | undefined
  peerId = ''
  listen: string[] = []

  private constructor (readonly name: string, readonly dir: string, readonly dataDir: string, readonly configFile: string, readonly socket: string, readonly logFile: string, readonly netns?: string) {}

  static async create (options: ProcessNodeOptions = {}): Promise<ProcessNode> {
    const dir = await mkdtemp(join(tmpdir(), 'phantom-node-test-'))
    const dataDir = options.dataDir ?? join(dir, 'data')
    const socket = join(dir, 'control.sock')
    const configFile = join(dir, 'phantom.yaml')
    const config = {
      dataDir,
      controlSocket: socket,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: options.bootstrap ?? [],
      mdns: false,
      // hermetic: never the machine's own seed files (/etc/phantom/seeds.txt)
      seedFiles: [],
      network: { allowPrivateAddresses: true },
      log: { level: process.env.PHANTOM_TEST_LOG_LEVEL ?? 'info' },
      // tests that are not about paths keep none, so they stay light; path tests override this
      path: { count: { exit: 0, entry: 0 }, diversity: false },
      // many daemons share loopback: the SOCKS proxy is on only where a test asks for it (with its own port)
      socks: { enabled: false },
      // one phantom0 per network namespace: TUN tests run each daemon in its own namespace and turn it on
      tun: { enabled: false },
      // the resolver's port 53 is one per namespace too
      dns: { enabled: false },
      ...options.config
    }
    await writeFile(configFile, stringify(config))
    return new ProcessNode(options.name ?? 'node', dir, dataDir, configFile, socket, join(dir, 'node.log'), options.netns)
  }

  /** Spawns the daemon and waits until its control socket answers. */
  async start (timeoutMs = 30_000): Promise<void> {
    this.logStream = createWriteStream(this.logFile, { flags: 'a' })
    const command = [process.execPath, ...DAEMON_NODE_FLAGS, ...extraDaemonNodeFlags(), daemonEntry(), '--config', this.configFile]
    // `ip netns exec` execs the command in place, so the child's pid is the daemon's
    const [file, ...args] = this.netns != null ? ['ip', 'netns', 'exec', this.netns, ...command] : command
    const child = spawn(file as string, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    child.stdout?.pipe(this.logStream, { end: false })
    child.stderr?.pipe(this.logStream, { end: false })
    this.exit = new Promise(resolve => child.once('exit', (code) => resolve(code)))
    const exited = this.exit.then(async (code) => {
      const { readFile } = await import('node:fs/promises')
      const log = await readFile(this.logFile, 'utf8').catch(() => '')
      throw new Error(`${this.name} exited with ${String(code)} before its control socket answered: ${log.trim().split('\n').slice(-3).join(' | ')}`)
    })
    const connected = waitFor(`${this.name} control socket`, async () => {
      this.client = await ControlClient.connect(this.socket, 1000)
      return true
    }, timeoutMs, 100)
    exited.catch(() => {})
    await Promise.race([connected, exited])
    const status = await this.status()
    this.peerId = status.peerId
    this.listen = status.listen
  }

  get pid (): number | undefined {
    return this.child?.pid
  }

  /** A dialable address with /p2p/. */
  get address (): string {
    const a = this.listen.find(x => x.includes('/ip4/127.0.0.1/'))
    if (a == null) throw new Error(`${this.name} has no loopback address`)
    return a.includes('/p2p/') ? a : `${a}/p2p/${this.peerId}`
  }

  async status (): Promise<NodeStatus> {
    if (this.client == null) throw new Error(`${this.name} is not started`)
    return await this.client.call<NodeStatus>('status')
  }

  async call<T> (method: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    if (this.client == null) throw new Error(`${this.name} is not started`)
    return await this.client.call<T>(method, params, timeoutMs)
  }

  /** SIGTERM and wait for the exit code. */
  async stop (timeoutMs = 15_000): Promise<number | null> {
    this.client?.close()
    this.client = undefined
    const child = this.child
    if (child == null || child.exitCode != null || child.signalCode != null) return child?.exitCode ?? null
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const code = await this.exit
    clearTimeout(timer)
    this.logStream?.end()
    return code ?? null
  }

  kill (): void {
    this.client?.close()
    this.child?.kill('SIGKILL')
  }

  /** Stops the process if needed and removes its directory (keeps it when `keep` is set, for debugging). */
  async destroy (keep = process.env.PHANTOM_KEEP_TEST_DIRS === '1'): Promise<void> {
    await this.stop().catch(() => { this.kill() })
    if (!keep) await rm(this.dir, { recursive: true, force: true })
  }
}
