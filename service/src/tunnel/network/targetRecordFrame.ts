/**
 * After the confirmation block of an outbound tunnel, the exit node sends the
 * target's AP record, which it fetched to find the target's entry nodes, as
 * the first bytes of tunnel data (inside its own and every other hop's data
 * layer): u16 BE length ‖ record bytes. The owner takes the target's e2e key
 * from it for the session handshake, so it never looks the target up in the
 * DHT itself (a lookup from its own node would tell DHT nodes whom it is about
 * to contact). The owner verifies the record like any other.
 */
import { AP_RECORD_MAX_BYTES } from '../../netdb/recordLimits.js'
import { DecodeError } from '../../wire/decodeError.js'

export const TARGET_RECORD_LENGTH_BYTES = 2

export function encodeTargetRecordFrame (record: Uint8Array): Buffer {
  if (record.byteLength < 1 || record.byteLength > AP_RECORD_MAX_BYTES) throw new RangeError(`AP record must be 1..${AP_RECORD_MAX_BYTES} bytes`)
  const frame = Buffer.alloc(TARGET_RECORD_LENGTH_BYTES + record.byteLength)
  frame.writeUInt16BE(record.byteLength, 0)
  frame.set(record, TARGET_RECORD_LENGTH_BYTES)
  return frame
}

/** Incremental reader: feed bytes until it returns the record; bytes after it are returned as `rest`. */
export class TargetRecordFrameReader {
  private buffered = Buffer.alloc(0)

  push (bytes: Uint8Array): { record: Buffer, rest: Buffer } | null {
    this.buffered = this.buffered.byteLength === 0 ? Buffer.from(bytes) : Buffer.concat([this.buffered, bytes])
    if (this.buffered.byteLength < TARGET_RECORD_LENGTH_BYTES) return null
    const length = this.buffered.readUInt16BE(0)
    if (length < 1 || length > AP_RECORD_MAX_BYTES) throw new DecodeError(`target record: length ${length} outside 1..${AP_RECORD_MAX_BYTES}`)
    if (this.buffered.byteLength < TARGET_RECORD_LENGTH_BYTES + length) return null
    const record = Buffer.from(this.buffered.subarray(TARGET_RECORD_LENGTH_BYTES, TARGET_RECORD_LENGTH_BYTES + length))
    const rest = this.buffered.subarray(TARGET_RECORD_LENGTH_BYTES + length)
    this.buffered = Buffer.alloc(0)
    return { record, rest }
  }
}
