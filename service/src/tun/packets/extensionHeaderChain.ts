import { DecodeError } from '../../wire/index.js'
import { GENERIC_EXTENSION_HEADERS, IPPROTO_AH, IPPROTO_FRAGMENT } from './ipProtocolNumbers.js'

/** More extension headers than this in one packet is treated as malformed (RFC 8200 §4.1 lists at most 8 kinds). */
export const MAX_EXTENSION_HEADERS = 8
export const FRAGMENT_HEADER_BYTES = 8

export interface FragmentInfo {
  /** Offset of this fragment's data in the original packet, in bytes. */
  offset: number
  moreFragments: boolean
  identification: number
}

export interface UpperLayerLocation {
  /** The protocol after the last extension header walked (e.g. 6, 17, 58, 59 or 50). */
  protocol: number
  /** Offset of the upper-layer header inside the IPv6 payload. */
  offset: number
  /** Present when a fragment header was seen. */
  fragment: FragmentInfo | null
}

/**
 * Walks the IPv6 extension headers that start the payload (`firstHeader` is
 * the fixed header's next header) and says where the upper-layer header
 * begins. Every length is checked against the bytes present; a header that
 * does not fit, or more than MAX_EXTENSION_HEADERS of them, throws
 * DecodeError. Pure; never reads outside `payload`.
 */
export function locateUpperLayer (firstHeader: number, payload: Uint8Array): UpperLayerLocation {
  let protocol = firstHeader
  let offset = 0
  let fragment: FragmentInfo | null = null
  for (let count = 0; ; count++) {
    let length: number
    if (GENERIC_EXTENSION_HEADERS.has(protocol)) {
      need(payload, offset, 2)
      length = ((payload[offset + 1] as number) + 1) * 8
    } else if (protocol === IPPROTO_AH) {
      need(payload, offset, 2)
      length = ((payload[offset + 1] as number) + 2) * 4
    } else if (protocol === IPPROTO_FRAGMENT) {
      need(payload, offset, FRAGMENT_HEADER_BYTES)
      if (fragment !== null) throw new DecodeError('IPv6 extension headers: two fragment headers')
      const offsetAndFlags = ((payload[offset + 2] as number) << 8) | (payload[offset + 3] as number)
      fragment = {
        offset: offsetAndFlags & 0xfff8,
        moreFragments: (offsetAndFlags & 1) === 1,
        identification: (((payload[offset + 4] as number) << 24) | ((payload[offset + 5] as number) << 16) |
          ((payload[offset + 6] as number) << 8) | (payload[offset + 7] as number)) >>> 0
      }
      length = FRAGMENT_HEADER_BYTES
    } else {
      return { protocol, offset, fragment }
    }
    if (count >= MAX_EXTENSION_HEADERS) throw new DecodeError(`IPv6 extension headers: more than ${MAX_EXTENSION_HEADERS}`)
    need(payload, offset, length)
    protocol = payload[offset] as number
    offset += length
    // Past the first fragment, what follows the fragment header is data, not headers.
    if (fragment !== null && fragment.offset !== 0) return { protocol, offset, fragment }
  }
}

function need (payload: Uint8Array, offset: number, count: number): void {
  if (offset + count > payload.byteLength) {
    throw new DecodeError(`IPv6 extension headers: header at offset ${offset} needs ${count} bytes, ${payload.byteLength - offset} left`)
  }
}
