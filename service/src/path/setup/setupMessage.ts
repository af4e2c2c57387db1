/**
 * One message on /phantom/setup/1.0.0: the link ID the sender presents,
 * followed by the array. Fixed length SETUP_MESSAGE_BYTES in both rounds.
 */
import { DecodeError } from '../../wire/index.js'
import { ARRAY_BYTES, LINK_ID_BYTES, SETUP_MESSAGE_BYTES } from './constants.js'

export interface SetupMessage {
  linkId: Buffer
  arrayBytes: Buffer
}

export function encodeSetupMessage (linkId: Uint8Array, arrayBytes: Uint8Array): Buffer {
  if (linkId.byteLength !== LINK_ID_BYTES) throw new RangeError('setup message: link ID must be 32 bytes')
  if (arrayBytes.byteLength !== ARRAY_BYTES) throw new RangeError(`setup message: array must be ${ARRAY_BYTES} bytes`)
  return Buffer.concat([linkId, arrayBytes])
}

export function decodeSetupMessage (bytes: Uint8Array): SetupMessage {
  if (bytes.byteLength !== SETUP_MESSAGE_BYTES) throw new DecodeError(`setup message: must be ${SETUP_MESSAGE_BYTES} bytes, got ${bytes.byteLength}`)
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { linkId: Buffer.from(view.subarray(0, LINK_ID_BYTES)), arrayBytes: Buffer.from(view.subarray(LINK_ID_BYTES)) }
}
