import { randomBytes } from 'node:crypto'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { JsonLineChild } from './jsonLineChild.js'
import { mustRun, run, type RunResult as CommandResult } from '../../harness/runCommand.js'
import { removeStaleNamespaces as removeStaleTestNamespaces } from '../../harness/staleNamespaces.js'

export const NAMESPACE_PREFIX = 'phantom-tuntest-'
const helpersDir = dirname(fileURLToPath(import.meta.url))
/** service/ (from service/test/tun/helpers or service/dist/test/tun/helpers). */
const runningFromSource = import.meta.url.endsWith('.ts')
export const serviceDir = resolve(helpersDir, runningFromSource ? '../../..' : '../../../..')

export { run, mustRun, type RunResult as CommandResult } from '../../harness/runCommand.js'

export function requireRoot (): void {
  if (process.getuid?.() !== 0) {
    throw new Error('the TUN system tests need root (they create network namespaces and TUN devices): run them as root, as CI does')
  }
}

/** Removes namespaces left by earlier runs whose process is gone (names carry the creating pid). */
export async function removeStaleNamespaces (): Promise<string[]> {
  return await removeStaleTestNamespaces(NAMESPACE_PREFIX)
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
