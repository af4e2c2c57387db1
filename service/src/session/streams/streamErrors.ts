import { ErrorCode, errorCodeName, type ErrorCodeValue } from '../frames/errorCode.js'

/** A stream aborted with a T§10.1 code, by the peer ('remote') or by this side ('local'). */
export class StreamResetError extends Error {
  constructor (readonly errorCode: ErrorCodeValue, readonly by: 'local' | 'remote') {
    super(`stream reset by ${by === 'local' ? 'this side' : 'the peer'}: ${errorCodeName(errorCode)}`)
    this.name = 'StreamResetError'
  }
}

/** T§7.3: this side reset the stream (CANCEL) after it carried no DATA either way for `idleMs`. */
export class StreamIdleError extends StreamResetError {
  constructor (readonly idleMs: number) {
    super(ErrorCode.CANCEL, 'local')
    this.message = `stream idle for ${Math.round(idleMs / 1000)} s: reset by this side (CANCEL)`
    this.name = 'StreamIdleError'
  }
}

/** The session ended (closed, GOAWAY, transport gone or tampering detected) while the stream was live. */
export class SessionClosedError extends Error {
  constructor (message = 'session closed', readonly errorCode?: ErrorCodeValue) {
    super(message)
    this.name = 'SessionClosedError'
  }
}
