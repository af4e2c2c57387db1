/** Thrown by every codec on malformed input. Callers that face the network catch it and drop or reject. */
export class DecodeError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'DecodeError'
  }
}
