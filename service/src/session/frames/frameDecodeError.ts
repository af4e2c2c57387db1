import { DecodeError } from '../../wire/decodeError.js'
import { ErrorCode, type ErrorCodeValue } from './errorCode.js'

/** A malformed frame; `errorCode` is the T§10.1 code a session answers it with (GOAWAY). */
export class FrameDecodeError extends DecodeError {
  constructor (message: string, readonly errorCode: ErrorCodeValue = ErrorCode.PROTOCOL_ERROR) {
    super(message)
    this.name = 'FrameDecodeError'
  }
}
