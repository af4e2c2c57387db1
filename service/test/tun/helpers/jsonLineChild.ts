import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'

export type JsonEvent = Record<string, unknown> & { event?: string }

/**
 * A child process that prints one JSON object per stdout line. `waitFor`
 * resolves with the first line (seen since start) that matches, and rejects
 * on timeout or when the child exits first, with its stderr in the message.
 */
export class JsonLineChild {
  readonly process: ChildProcessWithoutNullStreams
  readonly events: JsonEvent[] = []
  private stderr = ''
  private exited: string | null = null
  private waiters: Array<() => void> = []

  constructor (command: string, args: readonly string[], cwd: string) {
    this.process = spawn(command, [...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    this.process.stderr.setEncoding('utf8')
    this.process.stderr.on('data', (chunk: string) => { if (this.stderr.length < 20_000) this.stderr += chunk })
    createInterface({ input: this.process.stdout }).on('line', (line) => {
      try { this.events.push(JSON.parse(line) as JsonEvent) } catch { this.events.push({ event: 'non-json', line }) }
      this.wake()
    })
    this.process.on('exit', (code, signal) => { this.exited = `exited (code ${String(code)}, signal ${String(signal)})`; this.wake() })
    this.process.on('error', (error) => { this.exited = `failed to start: ${error.message}`; this.wake() })
  }

  private wake (): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  send (command: string): void {
    this.process.stdin.write(command + '\n')
  }

  async waitFor (predicate: (e: JsonEvent) => boolean, what: string, timeoutMs = 15_000, from = 0): Promise<JsonEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.slice(from).find(predicate)
      if (found !== undefined) return found
      if (this.exited !== null) throw new Error(`child ${this.exited} before ${what}; events ${JSON.stringify(this.events)}; stderr: ${this.stderr}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; events ${JSON.stringify(this.events)}; stderr: ${this.stderr}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
    }
  }

  /** Sends a command and waits for the next event of the given kind. */
  async request (command: string, event: string, timeoutMs = 15_000): Promise<JsonEvent> {
    const from = this.events.length
    this.send(command)
    return await this.waitFor((e) => e.event === event, `'${event}' after '${command}'`, timeoutMs, from)
  }

  async exit (timeoutMs = 10_000): Promise<void> {
    if (this.exited !== null) return
    const done = new Promise<void>((resolve) => { this.process.once('exit', () => { resolve() }) })
    const timer = setTimeout(() => { this.kill() }, timeoutMs)
    this.process.stdin.end()
    await done
    clearTimeout(timer)
  }

  get hasExited (): boolean {
    return this.exited !== null
  }

  kill (): void {
    if (this.exited === null) this.process.kill('SIGKILL')
  }
}
