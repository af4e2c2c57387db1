/**
 * The byte transport a session runs over (later: a routing tunnel's byte
 * stream). Ordered, reliable, no message boundaries: bytes may arrive in any
 * chunking. Setting a handler replaces the previous one (the handshake reader
 * hands over to the session); `close` is idempotent and the close handler
 * fires at most once (with an error when the end was abnormal).
 */
export interface ByteDuplex {
  send: (bytes: Uint8Array) => void
  onData: (handler: (bytes: Uint8Array) => void) => void
  onClose: (handler: (error?: Error) => void) => void
  close: (error?: Error) => void
}
