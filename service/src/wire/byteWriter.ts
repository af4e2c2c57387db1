/**
 * Builds one canonical big-endian binary encoding. Grows as needed; `finish()`
 * returns exactly the bytes written.
 */
export class ByteWriter {
  private buffer: Buffer
  private offset = 0

  constructor (initialSize = 256) {
    this.buffer = Buffer.alloc(initialSize)
  }

  private ensure (extra: number): void {
    if (this.offset + extra <= this.buffer.length) return
    const next = Buffer.alloc(Math.max(this.buffer.length * 2, this.offset + extra))
    this.buffer.copy(next, 0, 0, this.offset)
    this.buffer = next
  }

  u8 (value: number): this {
    this.ensure(1); this.buffer.writeUInt8(value, this.offset); this.offset += 1; return this
  }

  u16 (value: number): this {
    this.ensure(2); this.buffer.writeUInt16BE(value, this.offset); this.offset += 2; return this
  }

  u24 (value: number): this {
    this.ensure(3); this.buffer.writeUIntBE(value, this.offset, 3); this.offset += 3; return this
  }

  u32 (value: number): this {
    this.ensure(4); this.buffer.writeUInt32BE(value, this.offset); this.offset += 4; return this
  }

  u64 (value: bigint): this {
    this.ensure(8); this.buffer.writeBigUInt64BE(value, this.offset); this.offset += 8; return this
  }

  /** Raw bytes of a length the format fixes. */
  bytes (value: Uint8Array): this {
    this.ensure(value.byteLength); this.buffer.set(value, this.offset); this.offset += value.byteLength; return this
  }

  /** Length-prefixed bytes (u8 length). */
  bytes8 (value: Uint8Array): this {
    if (value.byteLength > 0xff) throw new RangeError('bytes8: value longer than 255 bytes')
    return this.u8(value.byteLength).bytes(value)
  }

  /** Length-prefixed bytes (u16 length). */
  bytes16 (value: Uint8Array): this {
    if (value.byteLength > 0xffff) throw new RangeError('bytes16: value longer than 65535 bytes')
    return this.u16(value.byteLength).bytes(value)
  }

  get length (): number {
    return this.offset
  }

  finish (): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.offset))
  }
}
