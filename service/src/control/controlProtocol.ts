/**
 * The control socket protocol (docs/control-socket.md): newline-delimited
 * JSON over a Unix stream socket. Each request is one line
 * `{"id": <number>, "method": "<name>", "params": {…}}`; each response one line
 * `{"id": <same>, "result": …}` or `{"id": <same>, "error": {"code": "…", "message": "…"}}`.
 */
export const CONTROL_MAX_LINE_BYTES = 1024 * 1024
export const CONTROL_MAX_CLIENTS = 32
export const CONTROL_IDLE_TIMEOUT_MS = 5 * 60_000

export interface ControlRequest {
  id: number
  method: string
  params: Record<string, unknown>
}

export interface ControlErrorBody {
  code: 'bad-request' | 'unknown-method' | 'invalid-params' | 'failed' | 'not-found'
  message: string
}

export type ControlResponse = { id: number, result: unknown } | { id: number | null, error: ControlErrorBody }

/** Thrown by method handlers to answer with a specific error code. */
export class ControlMethodError extends Error {
  constructor (readonly code: ControlErrorBody['code'], message: string) {
    super(message)
    this.name = 'ControlMethodError'
  }
}

/** Strict parse of one request line; returns an error body for anything malformed. */
export function parseControlRequest (line: string): ControlRequest | ControlErrorBody {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return { code: 'bad-request', message: 'request is not valid JSON' }
  }
  if (value == null || typeof value !== 'object' || Array.isArray(value)) return { code: 'bad-request', message: 'request must be a JSON object' }
  const { id, method, params } = value as Record<string, unknown>
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { code: 'bad-request', message: 'request needs an integer "id"' }
  if (typeof method !== 'string' || method.length === 0 || method.length > 64) return { code: 'bad-request', message: 'request needs a "method" string' }
  if (params != null && (typeof params !== 'object' || Array.isArray(params))) return { code: 'bad-request', message: '"params" must be an object' }
  return { id, method, params: (params ?? {}) as Record<string, unknown> }
}
