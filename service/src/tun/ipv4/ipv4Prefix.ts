import { isIPv4 } from 'node:net'

/** Shortest and longest prefix the IPv4 mapping accepts: at least 254 addresses to hand out, at most a /8. */
export const IPV4_PREFIX_MIN_LENGTH = 8
export const IPV4_PREFIX_MAX_LENGTH = 24

/** An IPv4 network: its first address and prefix length. Addresses are unsigned 32-bit numbers. */
export interface Ipv4Prefix {
  network: number
  length: number
}

/** What is wrong with `text` as the mapping's prefix ("a.b.c.d/len", host bits zero, length 8..24), or undefined. */
export function ipv4PrefixProblem (text: string): string | undefined {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text)
  if (match === null || !isIPv4(match[1] as string)) {
    return `expected an IPv4 prefix such as 100.64.0.0/10, got ${JSON.stringify(text.slice(0, 64))}`
  }
  const length = Number(match[2])
  if (length < IPV4_PREFIX_MIN_LENGTH || length > IPV4_PREFIX_MAX_LENGTH) {
    return `expected a prefix length from ${IPV4_PREFIX_MIN_LENGTH} to ${IPV4_PREFIX_MAX_LENGTH}, got /${length}`
  }
  const network = parseIpv4Address(match[1] as string)
  if ((network & ~prefixMask(length)) !== 0) {
    return `${text} has host bits set: the network is ${formatIpv4Address((network & prefixMask(length)) >>> 0)}/${length}`
  }
  return undefined
}

export function parseIpv4Prefix (text: string): Ipv4Prefix {
  const problem = ipv4PrefixProblem(text)
  if (problem !== undefined) throw new RangeError(problem)
  const [address, length] = text.split('/') as [string, string]
  return { network: parseIpv4Address(address), length: Number(length) }
}

export function formatIpv4Prefix (prefix: Ipv4Prefix): string {
  return `${formatIpv4Address(prefix.network)}/${prefix.length}`
}

/** Dotted quad → unsigned 32-bit number; the text must be a valid IPv4 address. */
export function parseIpv4Address (text: string): number {
  if (!isIPv4(text)) throw new RangeError(`invalid IPv4 address ${JSON.stringify(text)}`)
  return text.split('.').reduce((value, part) => value * 256 + Number(part), 0)
}

export function formatIpv4Address (address: number): string {
  return [address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff].join('.')
}

export function ipv4AddressBytes (address: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(address >>> 0)
  return bytes
}

export function prefixContains (prefix: Ipv4Prefix, address: number): boolean {
  return ((address & prefixMask(prefix.length)) >>> 0) === prefix.network
}

/** The last address of the prefix (its broadcast address). */
export function prefixLastAddress (prefix: Ipv4Prefix): number {
  return (prefix.network | ~prefixMask(prefix.length)) >>> 0
}

function prefixMask (length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0
}
