import { base32 } from 'multiformats/bases/base32'
import { deriveApAddress } from './apAddress.js'

/**
 * `.phantom` names (PROTOCOL.md §3): "<base32(routingPub)>.phantom", RFC 4648
 * base32, lower case, no padding. The name carries the full 256-bit routing key,
 * so it names exactly one AP address.
 */
export const PHANTOM_NAME_SUFFIX = '.phantom'
export const PHANTOM_NAME_LABEL_LENGTH = 52
const ROUTING_PUB_BYTES = 32
const LABEL = /^[a-z2-7]{52}$/

export function phantomNameFromRoutingKey (routingPub: Uint8Array): string {
  if (!(routingPub instanceof Uint8Array) || routingPub.byteLength !== ROUTING_PUB_BYTES) throw new RangeError('routing public key must be 32 bytes')
  return base32.baseEncode(routingPub) + PHANTOM_NAME_SUFFIX
}

/**
 * Strict: exactly 52 base32 characters followed by ".phantom" (any letter case;
 * no trailing dot, no subdomains, no padding). The key must re-encode to the
 * same canonical label, so no two names map to one key. Throws an Error saying
 * what is wrong.
 */
export function parsePhantomName (name: string): Buffer {
  if (typeof name !== 'string') throw new TypeError('.phantom name must be a string')
  // Only ASCII case folds: toLowerCase() would also fold e.g. U+212A KELVIN SIGN to "k".
  if (!/^[\x21-\x7e]*$/.test(name)) throw new Error(`not a .phantom name (only printable ASCII allowed): ${JSON.stringify(name.slice(0, 80))}`)
  const text = name.toLowerCase()
  if (text.length !== PHANTOM_NAME_LABEL_LENGTH + PHANTOM_NAME_SUFFIX.length || !text.endsWith(PHANTOM_NAME_SUFFIX)) {
    throw new Error(`not a .phantom name (want ${PHANTOM_NAME_LABEL_LENGTH} base32 characters + "${PHANTOM_NAME_SUFFIX}"): ${JSON.stringify(name.slice(0, 80))}`)
  }
  const label = text.slice(0, PHANTOM_NAME_LABEL_LENGTH)
  if (!LABEL.test(label)) throw new Error(`not a .phantom name (label must be base32 a-z, 2-7): ${JSON.stringify(name)}`)
  let key: Uint8Array
  try {
    key = base32.baseDecode(label)
  } catch {
    throw new Error(`not a .phantom name (non-canonical base32: unused trailing bits must be zero): ${JSON.stringify(name)}`)
  }
  if (key.byteLength !== ROUTING_PUB_BYTES || base32.baseEncode(key) !== label) {
    throw new Error(`not a .phantom name (non-canonical base32): ${JSON.stringify(name)}`)
  }
  return Buffer.from(key)
}

export function isPhantomName (text: unknown): text is string {
  if (typeof text !== 'string') return false
  try {
    parsePhantomName(text)
    return true
  } catch {
    return false
  }
}

/** The AP address a `.phantom` name stands for. */
export function apAddressFromPhantomName (name: string): Buffer {
  return deriveApAddress(parsePhantomName(name))
}
