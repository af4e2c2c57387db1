import { randomBytes } from '../../crypto/index.js'
import { DecodeError } from '../../wire/index.js'
import { BLOCK_BYTES } from '../tunnelConstants.js'
import { CHECK_OFFSET, checkField, checkFieldMatches } from './blockCheck.js'
import type { InitBlock } from './initBlock.js'

/**
 * Confirmation block, sent by the terminating node of an outbound tunnel once
 * its apconnect succeeded (64 bytes; every relay sees it layered, i.e. random):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0  | 1  | kind = 0x04 |
 * | 1  | 47 | random |
 * | 48 | 16 | check = BLAKE2b-256("phantom-tunnel-confirm-v1" ‖ initialisation block in clear (64) ‖ bytes 0..47)[0..16) |
 */
export const CONFIRMATION_KIND = 0x04
const CONFIRMATION_LABEL = 'phantom-tunnel-confirm-v1'

export function encodeConfirmationBlock (init: InitBlock): Buffer {
  const block = randomBytes(BLOCK_BYTES)
  block[0] = CONFIRMATION_KIND
  checkField(CONFIRMATION_LABEL, [init.bytes, block.subarray(0, CHECK_OFFSET)]).copy(block, CHECK_OFFSET)
  return block
}

/** Strict check against the tunnel's initialisation block; DecodeError otherwise. */
export function decodeConfirmationBlock (bytes: Uint8Array, init: InitBlock): void {
  if (bytes.byteLength !== BLOCK_BYTES) throw new DecodeError(`confirmation block: must be ${BLOCK_BYTES} bytes, got ${bytes.byteLength}`)
  if (!checkFieldMatches(bytes, CONFIRMATION_LABEL, [init.bytes])) throw new DecodeError('confirmation block: check field mismatch')
  if (bytes[0] !== CONFIRMATION_KIND) throw new DecodeError(`confirmation block: wrong kind ${bytes[0] as number}`)
}
