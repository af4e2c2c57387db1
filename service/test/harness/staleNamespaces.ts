/**
 * Network namespaces made by tests and benchmarks carry the creating
 * process's pid in their name (`<prefix><pid>-…`), so a later run can remove
 * what a killed run left behind.
 */
import { mustRun, run } from './runCommand.js'

function pidAlive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (error) { return (error as NodeJS.ErrnoException).code === 'EPERM' }
}

/** Kills every process still inside the namespace (SIGKILL), then deletes it. */
export async function deleteNamespace (name: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', name])
  for (const pid of pids.stdout.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
    try { process.kill(Number(pid), 'SIGKILL') } catch { /* already gone */ }
  }
  await run('ip', ['netns', 'delete', name])
}

/** Removes the namespaces named `<prefix><pid>-…` whose creating process is gone; returns their names. */
export async function removeStaleNamespaces (prefix: string): Promise<string[]> {
  const list = await mustRun('ip', ['netns', 'list'])
  const removed: string[] = []
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)-`)
  for (const line of list.stdout.split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? ''
    const match = pattern.exec(name)
    if (match === null || pidAlive(Number(match[1]))) continue
    await deleteNamespace(name)
    removed.push(name)
  }
  return removed
}
