import { DecodeError } from '../../wire/decodeError.js'
import type { ByteReader } from '../../wire/byteReader.js'
import type { ByteWriter } from '../../wire/byteWriter.js'

/**
 * Times are unix milliseconds, u64 on the wire and `number` in memory. A value
 * above Number.MAX_SAFE_INTEGER (year 287396) cannot be held exactly, so it is
 * malformed rather than silently rounded.
 */
export function readTimestamp (reader: ByteReader, what: string): number {
  const value = reader.u64()
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError(`${what}: time out of range`)
  return Number(value)
}

export function writeTimestamp (writer: ByteWriter, value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative safe integer of unix milliseconds`)
  writer.u64(BigInt(value))
}
