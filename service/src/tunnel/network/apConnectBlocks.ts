/**
 * /phantom/apconnect/1.0.0 (PROTOCOL.md §7 step 6): the exit path's
 * terminating node asks one of the target's entry nodes to join a tunnel to
 * the target AP address. Both messages are one 64-byte block.
 *
 *   request:  version u8 = 1 ‖ AP address (16) ‖ zero (47)
 *   accept:   version u8 = 1 ‖ status u8 = 0 (joined) ‖ zero (62)
 *
 * After the accept the stream carries the tunnel's bytes. A refusal is a
 * stream reset, never a message (the entry node says nothing about why).
 */
import { DecodeError } from '../../wire/decodeError.js'
import { AP_ADDRESS_BYTES, BLOCK_BYTES } from '../tunnelConstants.js'

export const AP_CONNECT_VERSION = 1
export const AP_CONNECT_BLOCK_BYTES = BLOCK_BYTES

export function encodeApConnectRequest (apAddress: Uint8Array): Buffer {
  if (apAddress.byteLength !== AP_ADDRESS_BYTES) throw new RangeError(`AP address must be ${AP_ADDRESS_BYTES} bytes`)
  const block = Buffer.alloc(AP_CONNECT_BLOCK_BYTES)
  block[0] = AP_CONNECT_VERSION
  block.set(apAddress, 1)
  return block
}

export function decodeApConnectRequest (bytes: Uint8Array): Buffer {
  if (bytes.byteLength !== AP_CONNECT_BLOCK_BYTES) throw new DecodeError(`apconnect request: must be ${AP_CONNECT_BLOCK_BYTES} bytes`)
  if (bytes[0] !== AP_CONNECT_VERSION) throw new DecodeError(`apconnect request: unknown version ${bytes[0]}`)
  for (let i = 1 + AP_ADDRESS_BYTES; i < bytes.byteLength; i++) if (bytes[i] !== 0) throw new DecodeError('apconnect request: non-zero padding')
  return Buffer.from(bytes.subarray(1, 1 + AP_ADDRESS_BYTES))
}

export function encodeApConnectAccept (): Buffer {
  const block = Buffer.alloc(AP_CONNECT_BLOCK_BYTES)
  block[0] = AP_CONNECT_VERSION
  return block
}

export function isApConnectAccept (bytes: Uint8Array): boolean {
  if (bytes.byteLength !== AP_CONNECT_BLOCK_BYTES || bytes[0] !== AP_CONNECT_VERSION) return false
  for (let i = 1; i < bytes.byteLength; i++) if (bytes[i] !== 0) return false
  return true
}
