import { randomBytes } from '../../crypto/index.js'
import { DecodeError } from '../../wire/index.js'
import { AP_ADDRESS_BYTES, BLOCK_BYTES } from '../tunnelConstants.js'
import { isApAddress } from './apAddressBytes.js'
import { CHECK_OFFSET, checkField, checkFieldMatches, isAllZero } from './blockCheck.js'
import type { InitBlock } from './initBlock.js'

/**
 * Reply block, built by the owner and read in clear by the terminating node (64 bytes):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0  | 1  | kind = 0x03 |
 * | 1  | 16 | target AP address (outbound: fd50::/16; inbound: zero) |
 * | 17 | 1  | port class (outbound: 0..255, meaning assigned by the session layer; inbound: 0) |
 * | 18 | 1  | flags: 0x01 refused (the owner declines an inbound connection); other bits zero |
 * | 19 | 29 | random |
 * | 48 | 16 | check = BLAKE2b-256("phantom-tunnel-reply-v1" ‖ initialisation block in clear (64) ‖ bytes 0..47)[0..16) |
 *
 * The check binds the reply to this tunnel's initialisation block: a reply of
 * another tunnel, a replayed or a garbled one fails with probability 1 − 2^-128.
 */
export const REPLY_KIND = 0x03
export const REPLY_FLAG_REFUSED = 0x01
const REPLY_FLAGS_KNOWN = REPLY_FLAG_REFUSED
const REPLY_LABEL = 'phantom-tunnel-reply-v1'

export interface ReplyFields {
  /** Outbound: the AP address to connect to; inbound: null. */
  targetApAddress: Buffer | null
  portClass: number
  flags: number
}

export function encodeReplyBlock (fields: ReplyFields, init: InitBlock): Buffer {
  const block = randomBytes(BLOCK_BYTES)
  block[0] = REPLY_KIND
  if (init.kind === 'outbound') {
    if (fields.targetApAddress == null || !isApAddress(fields.targetApAddress)) throw new RangeError('outbound reply needs a target AP address in fd50::/16')
    block.set(fields.targetApAddress, 1)
  } else {
    if (fields.targetApAddress != null || fields.portClass !== 0) throw new RangeError('inbound reply carries neither target nor port class')
    block.fill(0, 1, 1 + AP_ADDRESS_BYTES)
  }
  if (!Number.isInteger(fields.portClass) || fields.portClass < 0 || fields.portClass > 0xff) throw new RangeError('port class must be a byte')
  if (!Number.isInteger(fields.flags) || (fields.flags & ~REPLY_FLAGS_KNOWN) !== 0) throw new RangeError('unknown reply flags')
  block[17] = fields.portClass
  block[18] = fields.flags
  checkField(REPLY_LABEL, [init.bytes, block.subarray(0, CHECK_OFFSET)]).copy(block, CHECK_OFFSET)
  return block
}

/** Strict decoder against the tunnel's initialisation block; DecodeError on anything else. */
export function decodeReplyBlock (bytes: Uint8Array, init: InitBlock): ReplyFields {
  if (bytes.byteLength !== BLOCK_BYTES) throw new DecodeError(`reply block: must be ${BLOCK_BYTES} bytes, got ${bytes.byteLength}`)
  if (!checkFieldMatches(bytes, REPLY_LABEL, [init.bytes])) throw new DecodeError('reply block: check field mismatch')
  if (bytes[0] !== REPLY_KIND) throw new DecodeError(`reply block: wrong kind ${bytes[0] as number}`)
  const ap = bytes.subarray(1, 1 + AP_ADDRESS_BYTES)
  const portClass = bytes[17] as number
  const flags = bytes[18] as number
  if ((flags & ~REPLY_FLAGS_KNOWN) !== 0) throw new DecodeError(`reply block: unknown flags 0x${flags.toString(16)}`)
  if (init.kind === 'outbound') {
    if (!isApAddress(ap)) throw new DecodeError('reply block: target is not an AP address')
    return { targetApAddress: Buffer.from(ap), portClass, flags }
  }
  if (!isAllZero(ap) || portClass !== 0) throw new DecodeError('reply block: inbound reply carries a target or port class')
  return { targetApAddress: null, portClass, flags }
}
