import { peerIdFromString } from '@libp2p/peer-id'
import { apRecordKey, nodeRecordKey, parseApRecordKey, parseNodeRecordKey } from './recordKeys.js'
import { parseApAddress } from './apAddress.js'
import { apAddressFromPhantomName, isPhantomName } from './phantomName.js'

/**
 * What a user may type to name a record (phantomctl netdb get KEY): a full key
 * (`/phantom-node/<peerId>`, `/phantom-ap/<hex>`), a peer ID (its node
 * record), an AP address or a `.phantom` name (its AP record).
 */
export function recordKeyFromText (text: string): Uint8Array {
  const t = text.trim()
  if (t.startsWith('/phantom-node/')) return nodeRecordKey(parseNodeRecordKey(Buffer.from(t, 'utf8')))
  if (t.startsWith('/phantom-ap/')) return apRecordKey(parseApRecordKey(Buffer.from(t, 'utf8')))
  if (isPhantomName(t.toLowerCase())) return apRecordKey(apAddressFromPhantomName(t.toLowerCase()))
  if (t.includes(':')) return apRecordKey(parseApAddress(t))
  try {
    peerIdFromString(t)
  } catch {
    throw new Error(`not a record key, peer ID, AP address or .phantom name: ${JSON.stringify(t.slice(0, 80))}`)
  }
  return nodeRecordKey(t)
}
