/**
 * Cleanup on every way out: normal end, an exception, Ctrl-C or SIGTERM.
 * Actions run last-registered first, each at most once, each bounded.
 */
type Action = () => Promise<void>

const actions: Array<{ name: string, run: Action }> = []
let running: Promise<void> | null = null

/** Registers an action; the returned function unregisters it (after a normal stop). */
export function onCleanup (name: string, run: Action): () => void {
  const entry = { name, run }
  actions.push(entry)
  return () => { const i = actions.indexOf(entry); if (i >= 0) actions.splice(i, 1) }
}

export async function runCleanups (): Promise<void> {
  running ??= (async () => {
    while (actions.length > 0) {
      const entry = actions.pop()
      if (entry === undefined) break
      try {
        await Promise.race([entry.run(), new Promise<void>((resolve) => { setTimeout(resolve, 20_000).unref() })])
      } catch (error) {
        process.stderr.write(`cleanup ${entry.name}: ${(error as Error).message}\n`)
      }
    }
  })()
  await running
}

/** Runs the cleanups on SIGINT/SIGTERM and uncaught errors, then exits. */
export function installCleanupHandlers (): void {
  const bail = (why: string, code: number): void => {
    process.stderr.write(`\n${why}: cleaning up…\n`)
    runCleanups().finally(() => { process.exit(code) })
  }
  process.once('SIGINT', () => { bail('interrupted', 130) })
  process.once('SIGTERM', () => { bail('terminated', 143) })
  process.once('uncaughtException', (error) => { bail(`uncaught ${error.stack ?? error.message}`, 1) })
  process.once('unhandledRejection', (error) => { bail(`unhandled rejection ${String(error)}`, 1) })
}
