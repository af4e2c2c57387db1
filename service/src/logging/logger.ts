/**
 * Structured log lines on stdout (one JSON object a line), for journald and
 * for operators: `{"ts":"…","level":"info","component":"netdb","msg":"…",…}`.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug'

const LEVEL_RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 }

export type LogFields = Record<string, unknown>

export interface Logger {
  error: (msg: string, fields?: LogFields) => void
  warn: (msg: string, fields?: LogFields) => void
  info: (msg: string, fields?: LogFields) => void
  debug: (msg: string, fields?: LogFields) => void
  child: (component: string) => Logger
}

export type LogSink = (line: string) => void

const stdoutSink: LogSink = (line) => { process.stdout.write(line + '\n') }

function serialise (value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message }
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex')
  if (value != null && typeof value === 'object' && typeof (value as { toString?: unknown }).toString === 'function' &&
      (value.constructor?.name === 'Multiaddr' || value.constructor?.name?.endsWith('PeerId') === true)) {
    return String(value)
  }
  return value
}

export function createLogger (level: LogLevel, component = 'node', sink: LogSink = stdoutSink): Logger {
  const threshold = LEVEL_RANK[level]
  const write = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (LEVEL_RANK[lvl] > threshold) return
    const entry: Record<string, unknown> = { ts: new Date().toISOString(), level: lvl, component, msg }
    if (fields != null) {
      for (const [k, v] of Object.entries(fields)) entry[k] = serialise(v)
    }
    sink(JSON.stringify(entry))
  }
  return {
    error: (m, f) => { write('error', m, f) },
    warn: (m, f) => { write('warn', m, f) },
    info: (m, f) => { write('info', m, f) },
    debug: (m, f) => { write('debug', m, f) },
    child: (c) => createLogger(level, c, sink)
  }
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = createLogger('error', 'silent', () => {})
