import { multiaddr } from '@multiformats/multiaddr'
import { DecodeError } from '../../wire/decodeError.js'
import type { ByteReader } from '../../wire/byteReader.js'
import type { ByteWriter } from '../../wire/byteWriter.js'
import { MAX_MULTIADDR_BYTES, MAX_MULTIADDRS_PER_NODE } from '../recordLimits.js'

/**
 * Checks that `bytes` is one non-empty multiaddr in its canonical binary form,
 * at most MAX_MULTIADDR_BYTES long. The multiaddr library's binary parser is
 * lenient (it accepts, for instance, a TCP component without its port), so the
 * bytes must survive a trip through the text form unchanged. Throws DecodeError.
 */
export function checkMultiaddrBytes (bytes: Uint8Array): void {
  if (bytes.byteLength === 0) throw new DecodeError('multiaddr: empty')
  if (bytes.byteLength > MAX_MULTIADDR_BYTES) throw new DecodeError(`multiaddr: ${bytes.byteLength} bytes exceeds the limit of ${MAX_MULTIADDR_BYTES}`)
  let reencoded: Uint8Array
  try {
    reencoded = multiaddr(multiaddr(Uint8Array.from(bytes)).toString()).bytes
  } catch (err) {
    throw new DecodeError(`multiaddr: invalid (${(err as Error).message})`)
  }
  if (!Buffer.from(reencoded).equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
    throw new DecodeError('multiaddr: not in canonical binary form')
  }
}

/** Throws DecodeError if two entries of `list` are byte-equal. */
export function checkNoDuplicates (list: readonly Uint8Array[], what: string): void {
  const seen = new Set<string>()
  for (const item of list) {
    const hex = Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('hex')
    if (seen.has(hex)) throw new DecodeError(`${what}: duplicate entry`)
    seen.add(hex)
  }
}

/** u8 count (≤ MAX_MULTIADDRS_PER_NODE), then each multiaddr as u8 length + canonical binary multiaddr; no duplicates. */
export function readMultiaddrList (reader: ByteReader, what: string): Buffer[] {
  const count = reader.u8()
  if (count > MAX_MULTIADDRS_PER_NODE) throw new DecodeError(`${what}: ${count} multiaddrs exceeds the limit of ${MAX_MULTIADDRS_PER_NODE}`)
  const list: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const bytes = reader.bytes8(MAX_MULTIADDR_BYTES)
    checkMultiaddrBytes(bytes)
    list.push(bytes)
  }
  checkNoDuplicates(list, `${what} multiaddrs`)
  return list
}

export function writeMultiaddrList (writer: ByteWriter, list: readonly Uint8Array[]): void {
  if (list.length > MAX_MULTIADDRS_PER_NODE) throw new RangeError(`at most ${MAX_MULTIADDRS_PER_NODE} multiaddrs`)
  writer.u8(list.length)
  for (const bytes of list) writer.bytes8(bytes)
}
