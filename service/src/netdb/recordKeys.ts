import { peerIdFromString } from '@libp2p/peer-id'
import { DecodeError } from '../wire/decodeError.js'
import { AP_ADDRESS_BYTES, isApAddress } from './apAddress.js'
import { peerIdStringFromBytes } from './records/peerIdBytes.js'

/**
 * DHT keys of the record types. kad-dht picks a validator and a selector by the
 * first path segment ("phantom-node", "phantom-ap").
 *
 *   /phantom-node/<PeerId as base58btc, e.g. 12D3KooW…>   (Ed25519 peer IDs only)
 *   /phantom-ap/<ap as 32 lower-case hex characters>     (inside fd50::/16)
 *
 * Keys are UTF-8 (all ASCII). Each record has exactly one key text.
 */
export const NODE_RECORD_NAMESPACE = 'phantom-node'
export const AP_RECORD_NAMESPACE = 'phantom-ap'
const NODE_KEY_PREFIX = `/${NODE_RECORD_NAMESPACE}/`
const AP_KEY_PREFIX = `/${AP_RECORD_NAMESPACE}/`
/** Longest key either parser looks at; longer input is rejected before any work. */
const MAX_KEY_BYTES = 128
const LOWER_HEX_AP = /^[0-9a-f]{32}$/

/** Throws an Error unless `peerIdString` is the canonical base58btc text of an Ed25519 PeerId. */
function checkPeerIdString (peerIdString: string): void {
  let canonical: string
  let type: string
  try {
    const peerId = peerIdFromString(peerIdString)
    canonical = peerId.toString()
    type = peerId.type
  } catch (err) {
    throw new DecodeError(`not a peer ID: ${JSON.stringify(peerIdString.slice(0, 80))} (${(err as Error).message})`)
  }
  if (type !== 'Ed25519') throw new DecodeError(`not an Ed25519 peer ID: ${peerIdString}`)
  if (canonical !== peerIdString) throw new DecodeError(`peer ID not in canonical base58btc form: ${peerIdString}`)
}

/** Key of the node record of a peer, from its PeerId text ("12D3KooW…"). Throws on anything but a canonical Ed25519 PeerId. */
export function nodeRecordKey (peerIdString: string): Uint8Array {
  checkPeerIdString(peerIdString)
  return new TextEncoder().encode(NODE_KEY_PREFIX + peerIdString)
}

/** Key of the node record for a PeerId given as multihash bytes (as in the record's peerId field). */
export function nodeRecordKeyFromPeerIdBytes (peerIdBytes: Uint8Array): Uint8Array {
  return nodeRecordKey(peerIdStringFromBytes(peerIdBytes))
}

/** Key of the AP record of an AP address. */
export function apRecordKey (ap: Uint8Array): Uint8Array {
  if (!isApAddress(ap)) throw new RangeError('not an AP address (16 bytes inside fd50::/16)')
  return new TextEncoder().encode(AP_KEY_PREFIX + Buffer.from(ap.buffer, ap.byteOffset, ap.byteLength).toString('hex'))
}

function keyText (key: Uint8Array): string {
  if (!(key instanceof Uint8Array) || key.byteLength > MAX_KEY_BYTES) throw new DecodeError('record key: not a key of ours (too long)')
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(key)
  } catch {
    throw new DecodeError('record key: not UTF-8')
  }
}

/** The PeerId text named by a node record key. Throws DecodeError on any other key. */
export function parseNodeRecordKey (key: Uint8Array): string {
  const text = keyText(key)
  if (!text.startsWith(NODE_KEY_PREFIX)) throw new DecodeError(`record key: not under /${NODE_RECORD_NAMESPACE}/`)
  const peerIdString = text.slice(NODE_KEY_PREFIX.length)
  checkPeerIdString(peerIdString)
  return peerIdString
}

/** The AP address named by an AP record key. Throws DecodeError on any other key. */
export function parseApRecordKey (key: Uint8Array): Buffer {
  const text = keyText(key)
  if (!text.startsWith(AP_KEY_PREFIX)) throw new DecodeError(`record key: not under /${AP_RECORD_NAMESPACE}/`)
  const hex = text.slice(AP_KEY_PREFIX.length)
  if (!LOWER_HEX_AP.test(hex)) throw new DecodeError(`record key: AP address must be ${AP_ADDRESS_BYTES * 2} lower-case hex characters`)
  const ap = Buffer.from(hex, 'hex')
  if (!isApAddress(ap)) throw new DecodeError('record key: address outside fd50::/16')
  return ap
}
