/**
 * Polls `check` until it returns a value other than undefined/false, or fails
 * after `timeoutMs` with `what` in the message. Tests wait for conditions this
 * way, never with fixed sleeps.
 */
export async function waitFor<T> (what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const result = await check()
      if (result !== undefined && result !== false) return result
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError != null ? ` (last error: ${(lastError as Error).message})` : ''}`)
    }
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}
