import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { JsonLineChild } from './jsonLineChild.js'

export const NAMESPACE_PREFIX = 'phantom-tuntest-'
const helpersDir = dirname(fileURLToPath(import.meta.url))
/** service/ (from service/test/tun/helpers or service/dist/test/tun/helpers). */
const runningFromSource = import.meta.url.endsWith('.ts')
export const serviceDir = resolve(helpersDir, runningFromSource ? '../../..' : '../../../..')

export interface CommandResult { code: number, stdout: string, stderr: string }

export async function run (command: string, args: readonly string[], timeoutMs = 20_000): Promise<CommandResult> {
  return await new Promise((resolve) => {
    execFile(command, [...args], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (error !== null && error.killed ? `\n[killed after ${timeoutMs} ms]` : '') })
    })
  })
}

export async function mustRun (command: string, args: readonly string[], timeoutMs = 20_000): Promise<CommandResult> {
  const result = await run(command, args, timeoutMs)
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr}${result.stdout}`)
  return result
}

export function requireRoot (): void {
  if (process.getuid?.() !== 0) {
    throw new Error('the TUN system tests need root (they create network namespaces and TUN devices): run them as root, as CI does')
  }
}

function pidAlive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (error) { return (error as NodeJS.ErrnoException).code === 'EPERM' }
}

/** Removes namespaces left by earlier runs whose process is gone (names carry the creating pid). */
export async function removeStaleNamespaces (): Promise<string[]> {
  const list = await mustRun('ip', ['netns', 'list'])
  const removed: string[] = []
  for (const line of list.stdout.split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? ''
    const match = new RegExp(`^${NAMESPACE_PREFIX}(\\d+)-[0-9a-f]+$`).exec(name)
    if (match === null || pidAlive(Number(match[1]))) continue
    await run('ip', ['netns', 'delete', name])
    removed.push(name)
  }
  return removed
}

/** A fresh network namespace; `remove()` kills every child started in it, then deletes it. */
export class TestNamespace {
  readonly name = `${NAMESPACE_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`
  private readonly children: JsonLineChild[] = []
  private created = false

  async create (): Promise<void> {
    await mustRun('ip', ['netns', 'add', this.name])
    this.created = true
    await mustRun('ip', ['-n', this.name, 'link', 'set', 'lo', 'up'])
  }

  async exec (args: readonly string[], timeoutMs = 30_000): Promise<CommandResult> {
    return await run('ip', ['netns', 'exec', this.name, ...args], timeoutMs)
  }

  /** The node command line for a TypeScript helper in this folder, from source (tsx) or from dist. */
  static nodeArgs (helper: string, args: readonly string[], nodeFlags: readonly string[] = []): string[] {
    const file = join(helpersDir, runningFromSource ? `${helper}.ts` : `${helper}.js`)
    return [...nodeFlags, ...(runningFromSource ? ['--import', 'tsx'] : []), file, ...args]
  }

  /** Starts `prefix... node helper args` inside the namespace (prefix: e.g. setpriv to drop privileges). */
  spawnHelper (helper: string, args: readonly string[], prefix: readonly string[] = [], nodeFlags: readonly string[] = []): JsonLineChild {
    const child = new JsonLineChild('ip', ['netns', 'exec', this.name, ...prefix, process.execPath, ...TestNamespace.nodeArgs(helper, args, nodeFlags)], serviceDir)
    this.children.push(child)
    return child
  }

  async remove (): Promise<void> {
    for (const child of this.children) child.kill()
    await Promise.all(this.children.map(async (child) => {
      if (!child.hasExited) await new Promise<void>((resolve) => { child.process.once('exit', () => { resolve() }) })
    }))
    if (this.created) {
      await mustRun('ip', ['netns', 'delete', this.name])
      this.created = false
    }
  }
}
