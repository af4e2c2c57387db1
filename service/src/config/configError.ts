/** Exit status of the daemon when its configuration is bad (sysexits.h EX_CONFIG). */
export const CONFIG_ERROR_EXIT_CODE = 78

export interface ConfigErrorDetails {
  /** The configuration file, as named on the command line or the default path. */
  file: string
  /** What is wrong and what was expected, e.g. `expected one of error, warn, info, debug, got "verbose"`. */
  problem: string
  /** 1-based line in the file, when the problem can be placed on a line. */
  line?: number
  /** Dotted option name such as `network.allowPrivateAddresses` or `listen[1]`. */
  field?: string
}

/**
 * A configuration file that cannot be used. `message` is always one line,
 * `FILE[:LINE]: [FIELD: ]PROBLEM`, ready to print as it is (no stack trace).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly file: string
  readonly line?: number
  readonly field?: string
  readonly problem: string

  constructor (details: ConfigErrorDetails) {
    super(formatConfigErrorMessage(details))
    this.file = details.file
    this.problem = details.problem
    if (details.line !== undefined) this.line = details.line
    if (details.field !== undefined) this.field = details.field
  }
}

function formatConfigErrorMessage (details: ConfigErrorDetails): string {
  const where = details.line === undefined ? oneLine(details.file) : `${oneLine(details.file)}:${details.line}`
  const field = details.field === undefined ? '' : `${oneLine(details.field)}: `
  return `${where}: ${field}${oneLine(details.problem)}`
}

/** Replaces line breaks and other control characters so that a message stays on one line. */
export function oneLine (text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
