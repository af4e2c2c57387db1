import { randomBytes } from '../../crypto/index.js'
import { DecodeError } from '../../wire/index.js'
import { AP_ADDRESS_BYTES, BLOCK_BYTES } from '../tunnelConstants.js'
import { isApAddress } from './apAddressBytes.js'
import { CHECK_OFFSET, checkField, checkFieldMatches, isAllZero } from './blockCheck.js'

/**
 * Initialisation block, built by the terminating node Xn (64 bytes, big-endian):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0  | 8  | v: random 64-bit value |
 * | 8  | 8  | ¬v (bitwise complement) |
 * | 16 | 1  | kind: 0x01 outbound, 0x02 inbound |
 * | 17 | 16 | AP address: inbound = the owner's AP address the connector asked for (fd50::/16); outbound = zero |
 * | 33 | 15 | random |
 * | 48 | 16 | check = BLAKE2b-256("phantom-tunnel-init-v1" ‖ bytes 0..47)[0..16) |
 *
 * A wrong key combination leaves a block indistinguishable from random, which
 * passes the v/¬v test with probability 2^-64 and the check field with 2^-128
 * (independent), so a false accept has probability ≤ 2^-192 per combination.
 * The owner's search tests v/¬v first (cheap) and hashes only on a match.
 */
export const INIT_KIND_OUTBOUND = 0x01
export const INIT_KIND_INBOUND = 0x02
const INIT_LABEL = 'phantom-tunnel-init-v1'
const KIND_OFFSET = 16
const AP_OFFSET = 17

export type TunnelKind = 'outbound' | 'inbound'

export interface InitBlock {
  kind: TunnelKind
  /** Inbound: the AP address the connector asked for; outbound: null. */
  apAddress: Buffer | null
  /** The whole 64-byte block in clear (replies and confirmations are bound to it). */
  bytes: Buffer
}

export function buildInitBlock (kind: 'outbound'): InitBlock
export function buildInitBlock (kind: 'inbound', apAddress: Uint8Array): InitBlock
export function buildInitBlock (kind: TunnelKind, apAddress?: Uint8Array): InitBlock {
  const block = randomBytes(BLOCK_BYTES)
  for (let i = 0; i < 8; i++) block[8 + i] = ~(block[i] as number) & 0xff
  block[KIND_OFFSET] = kind === 'outbound' ? INIT_KIND_OUTBOUND : INIT_KIND_INBOUND
  if (kind === 'inbound') {
    if (apAddress == null || !isApAddress(apAddress)) throw new RangeError('inbound initialisation block needs an AP address in fd50::/16')
    block.set(apAddress, AP_OFFSET)
  } else {
    block.fill(0, AP_OFFSET, AP_OFFSET + AP_ADDRESS_BYTES)
  }
  checkField(INIT_LABEL, [block.subarray(0, CHECK_OFFSET)]).copy(block, CHECK_OFFSET)
  return { kind, apAddress: kind === 'inbound' ? Buffer.from(apAddress as Uint8Array) : null, bytes: block }
}

/** The cheap first test: bytes 8..15 are the complement of bytes 0..7 (no allocation). */
export function hasComplementPair (block: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) {
    if (((block[i] as number) ^ (block[8 + i] as number)) !== 0xff) return false
  }
  return true
}

/** Why `bytes` is not a valid initialisation block, or null when it is. Never throws. */
export function initBlockProblem (bytes: Uint8Array): string | null {
  if (bytes.byteLength !== BLOCK_BYTES) return `must be ${BLOCK_BYTES} bytes, got ${bytes.byteLength}`
  if (!hasComplementPair(bytes)) return 'value/complement mismatch'
  if (!checkFieldMatches(bytes, INIT_LABEL, [])) return 'check field mismatch'
  const kind = bytes[KIND_OFFSET]
  const ap = bytes.subarray(AP_OFFSET, AP_OFFSET + AP_ADDRESS_BYTES)
  if (kind === INIT_KIND_OUTBOUND) return isAllZero(ap) ? null : 'outbound block carries an AP address'
  if (kind === INIT_KIND_INBOUND) return isApAddress(ap) ? null : 'inbound block without an AP address in fd50::/16'
  return `unknown kind ${kind ?? 'none'}`
}

/** Strict decoder; DecodeError on anything but a well-formed block. */
export function decodeInitBlock (bytes: Uint8Array): InitBlock {
  const problem = initBlockProblem(bytes)
  if (problem != null) throw new DecodeError(`initialisation block: ${problem}`)
  const copy = Buffer.from(bytes)
  const inbound = copy[KIND_OFFSET] === INIT_KIND_INBOUND
  return {
    kind: inbound ? 'inbound' : 'outbound',
    apAddress: inbound ? Buffer.from(copy.subarray(AP_OFFSET, AP_OFFSET + AP_ADDRESS_BYTES)) : null,
    bytes: copy
  }
}

