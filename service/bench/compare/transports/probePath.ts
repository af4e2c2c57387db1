import { runClient } from '../namespaces.js'
import type { BenchPath } from '../transport.js'

/** Waits until one fresh connection over the path gets the server's first byte (retrying, bounded by `timeoutMs`). */
export async function waitForPath (path: BenchPath, timeoutMs: number, attemptMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now()
    if (left <= 0) throw new Error(`path ${path.label} carried no connection within ${timeoutMs} ms (${attempt - 1} attempts); last error: ${last}`)
    const budget = Math.min(attemptMs, left)
    try {
      await runClient(path.clientNamespace, ['--target', JSON.stringify(path.target), '--workload', 'first-byte', '--count', '1', '--timeout-ms', String(budget)], budget + 10_000)
      return
    } catch (error) {
      last = (error as Error).message
    }
  }
}
