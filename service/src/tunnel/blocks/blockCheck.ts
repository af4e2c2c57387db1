import { blake2b256, constantTimeEqual } from '../../crypto/index.js'

/** Bytes 48..63 of every structured setup block: a 16-byte check field. */
export const CHECK_OFFSET = 48
export const CHECK_BYTES = 16

/** First 16 bytes of BLAKE2b-256(label ‖ parts…). */
export function checkField (label: string, parts: Uint8Array[]): Buffer {
  return blake2b256([Buffer.from(label), ...parts]).subarray(0, CHECK_BYTES)
}

export function checkFieldMatches (block: Uint8Array, label: string, context: Uint8Array[]): boolean {
  const expected = checkField(label, [...context, block.subarray(0, CHECK_OFFSET)])
  return constantTimeEqual(expected, block.subarray(CHECK_OFFSET, CHECK_OFFSET + CHECK_BYTES))
}

export function isAllZero (bytes: Uint8Array): boolean {
  let acc = 0
  for (const b of bytes) acc |= b
  return acc === 0
}
