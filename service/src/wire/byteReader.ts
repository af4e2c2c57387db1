import { DecodeError } from './decodeError.js'

/**
 * Strict reader over untrusted bytes: every read is bounds-checked and throws
 * DecodeError; `end()` rejects trailing bytes so no data can ride along.
 */
export class ByteReader {
  private offset = 0
  private readonly view: Buffer

  constructor (bytes: Uint8Array, private readonly what = 'input') {
    this.view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  private need (count: number): void {
    if (this.offset + count > this.view.length) {
      throw new DecodeError(`${this.what}: truncated (needed ${count} more bytes at offset ${this.offset}, have ${this.view.length - this.offset})`)
    }
  }

  u8 (): number { this.need(1); const v = this.view.readUInt8(this.offset); this.offset += 1; return v }
  u16 (): number { this.need(2); const v = this.view.readUInt16BE(this.offset); this.offset += 2; return v }
  u24 (): number { this.need(3); const v = this.view.readUIntBE(this.offset, 3); this.offset += 3; return v }
  u32 (): number { this.need(4); const v = this.view.readUInt32BE(this.offset); this.offset += 4; return v }
  u64 (): bigint { this.need(8); const v = this.view.readBigUInt64BE(this.offset); this.offset += 8; return v }

  /** A copy of the next `count` bytes. */
  bytes (count: number): Buffer {
    this.need(count)
    const v = Buffer.from(this.view.subarray(this.offset, this.offset + count))
    this.offset += count
    return v
  }

  bytes8 (maxLength = 0xff): Buffer {
    const length = this.u8()
    if (length > maxLength) throw new DecodeError(`${this.what}: field of ${length} bytes exceeds the limit of ${maxLength}`)
    return this.bytes(length)
  }

  bytes16 (maxLength = 0xffff): Buffer {
    const length = this.u16()
    if (length > maxLength) throw new DecodeError(`${this.what}: field of ${length} bytes exceeds the limit of ${maxLength}`)
    return this.bytes(length)
  }

  get position (): number { return this.offset }
  get remaining (): number { return this.view.length - this.offset }

  /** Throws unless every byte was consumed. */
  end (): void {
    if (this.offset !== this.view.length) {
      throw new DecodeError(`${this.what}: ${this.view.length - this.offset} trailing bytes`)
    }
  }
}
