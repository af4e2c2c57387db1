/** A state file (key, cache) that exists but cannot be used. Never answered by silently regenerating it. */
export class StateFileError extends Error {
  constructor (readonly file: string, reason: string) {
    super(`${file}: ${reason}`)
    this.name = 'StateFileError'
  }
}
