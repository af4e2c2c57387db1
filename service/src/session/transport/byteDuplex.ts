/**
 * The byte transport a session runs over (later: a routing tunnel's byte
 * stream). Ordered, reliable, no message boundaries: bytes may arrive in any
 * chunking. Setting a handler replaces the previous one (the handshake reader
 * hands over to the session); `close` is idempotent and the close handler
 * fires at most once (with an error when the end was abnormal).
 */
export interface ByteDuplex {
  /**
   * Hands `bytes` over: the duplex may encrypt them in place and hold them
   * until they are written, so the caller must not use them again.
   */
  send: (bytes: Uint8Array) => void
  /** Bytes handed to `send` that the transport has not passed on yet (it is waiting for the network). */
  readonly queuedBytes: number
  /**
   * Called (the latest handler; never from inside `send`) after the transport
   * passed on bytes it held, at the latest when it holds none any more, so
   * that senders it held back may look at queuedBytes again.
   */
  onDrain: (handler: () => void) => void
  /**
   * Each chunk given to the handler is the handler's own: no one else reads
   * or writes it afterwards, so it may be kept and decrypted in place.
   */
  onData: (handler: (bytes: Uint8Array) => void) => void
  onClose: (handler: (error?: Error) => void) => void
  close: (error?: Error) => void
}
