/**
 * IPv6 text form <-> 16 bytes. Parsing accepts exactly the RFC 4291 §2.2 text
 * forms (hex groups, one "::", an optional dotted IPv4 tail); no zone index,
 * no brackets, no whitespace. Formatting is the RFC 5952 canonical form
 * (lower case, no leading zeros, the longest run of two or more zero groups
 * shortened to "::", the first such run on a tie). Mixed IPv4 notation is never
 * produced.
 */

export const IPV6_ADDRESS_BYTES = 16
/** Longest valid text form: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255". */
const IPV6_TEXT_MAX_LENGTH = 45
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/
const DOTTED_IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/

/** Throws an Error naming the problem unless `text` is one IPv6 address. */
export function parseIpv6 (text: string): Buffer {
  if (typeof text !== 'string') throw new TypeError('IPv6 address must be a string')
  if (text.length === 0 || text.length > IPV6_TEXT_MAX_LENGTH) throw new Error(`not an IPv6 address: ${JSON.stringify(text.slice(0, 64))}`)
  const invalid = (): Error => new Error(`not an IPv6 address: ${JSON.stringify(text)}`)

  const gap = text.indexOf('::')
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) throw invalid()
  const head = gap === -1 ? text : text.slice(0, gap)
  const tail = gap === -1 ? '' : text.slice(gap + 2)
  const before = wordsOf(head, gap === -1, invalid)
  const after = wordsOf(tail, true, invalid)
  const count = before.length + after.length
  // Without "::" all eight groups are written; "::" stands for at least one zero group.
  if (gap === -1 ? count !== 8 : count > 7) throw invalid()
  const all = [...before, ...new Array<number>(8 - count).fill(0), ...after]
  const out = Buffer.alloc(IPV6_ADDRESS_BYTES)
  all.forEach((word, i) => out.writeUInt16BE(word, i * 2))
  return out
}

/** 16-bit words of one side of "::"; a dotted IPv4 quad may only end the address (`endsAddress`). */
function wordsOf (part: string, endsAddress: boolean, invalid: () => Error): number[] {
  if (part === '') return []
  const groups = part.split(':')
  const words: number[] = []
  groups.forEach((group, i) => {
    if (endsAddress && i === groups.length - 1 && group.includes('.')) {
      const m = DOTTED_IPV4.exec(group)
      if (m == null) throw invalid()
      const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number]
      words.push((a << 8) | b, (c << 8) | d)
    } else {
      if (!HEX_GROUP.test(group)) throw invalid()
      words.push(parseInt(group, 16))
    }
  })
  return words
}

/** RFC 5952 canonical text of a 16-byte IPv6 address. */
export function formatIpv6 (bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== IPV6_ADDRESS_BYTES) throw new RangeError('IPv6 address must be 16 bytes')
  const words: number[] = []
  for (let i = 0; i < 8; i++) words.push(((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number))
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && words[j] === 0) j++
    if (j - i > bestLength) { bestStart = i; bestLength = j - i }
    i = j
  }
  const hex = words.map(w => w.toString(16))
  if (bestStart === -1) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}
