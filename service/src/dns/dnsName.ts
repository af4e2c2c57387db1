import { DecodeError } from '../wire/decodeError.js'
import type { ByteReader } from '../wire/byteReader.js'
import type { ByteWriter } from '../wire/byteWriter.js'
import { DNS_LABEL_MAX_BYTES, DNS_NAME_MAX_BYTES } from './dnsConstants.js'

/**
 * Reads an uncompressed domain name (a sequence of labels ending in the root
 * label). Compression pointers (RFC 1035 §4.1.4) and the reserved label types
 * are rejected: a query's question never needs them, and refusing them means a
 * name can never loop or point outside itself. The labels are returned as sent
 * (letter case kept, so the question can be echoed exactly).
 */
export function readDnsName (reader: ByteReader): Buffer[] {
  const labels: Buffer[] = []
  let wireLength = 0
  for (;;) {
    const length = reader.u8()
    wireLength += 1 + length
    if (wireLength > DNS_NAME_MAX_BYTES) throw new DecodeError(`DNS name longer than ${DNS_NAME_MAX_BYTES} bytes`)
    if ((length & 0xc0) === 0xc0) throw new DecodeError('DNS name compression is not accepted in a query')
    if ((length & 0xc0) !== 0) throw new DecodeError(`DNS label type 0x${(length & 0xc0).toString(16)} is not supported`)
    if (length === 0) return labels
    labels.push(reader.bytes(length))
  }
}

export function writeDnsName (writer: ByteWriter, labels: readonly Buffer[]): void {
  let wireLength = 1
  for (const label of labels) {
    if (label.length < 1 || label.length > DNS_LABEL_MAX_BYTES) throw new RangeError(`DNS label of ${label.length} bytes`)
    wireLength += 1 + label.length
    writer.u8(label.length).bytes(label)
  }
  if (wireLength > DNS_NAME_MAX_BYTES) throw new RangeError(`DNS name longer than ${DNS_NAME_MAX_BYTES} bytes`)
  writer.u8(0)
}

/** Printable ASCII without the dot, which would make "a.b" as one label look like two. */
const TEXT_LABEL = /^[\x21-\x2d\x2f-\x7e]+$/

/**
 * The lower-case dotted text of a name ("" for the root), or undefined when a
 * label holds a byte that no name we answer for can contain (then it matches
 * nothing). Only ASCII letters are folded (RFC 4343).
 */
export function dnsNameText (labels: readonly Buffer[]): string | undefined {
  const parts: string[] = []
  for (const label of labels) {
    const text = label.toString('latin1')
    if (!TEXT_LABEL.test(text)) return undefined
    parts.push(text.toLowerCase())
  }
  return parts.join('.')
}

/** Wire labels of a dotted name ("" or "." is the root). */
export function dnsLabelsFromText (name: string): Buffer[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name
  if (trimmed === '') return []
  return trimmed.split('.').map(label => Buffer.from(label, 'latin1'))
}
