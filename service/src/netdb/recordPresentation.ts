import { multiaddr } from '@multiformats/multiaddr'
import type { NodeRecord } from './records/nodeRecord.js'
import type { ApRecord } from './records/apRecord.js'
import { peerIdStringFromBytes } from './records/peerIdBytes.js'
import { formatApAddress } from './apAddress.js'
import { phantomNameFromRoutingKey } from './phantomName.js'

/** Records as JSON for humans and scripts (phantomctl netdb get). */
function addressText (bytes: Uint8Array): string {
  try {
    return multiaddr(bytes).toString()
  } catch {
    return `invalid:${Buffer.from(bytes).toString('hex')}`
  }
}

export function presentNodeRecord (record: NodeRecord): Record<string, unknown> {
  return {
    type: 'node',
    peerId: peerIdStringFromBytes(record.peerId),
    multiaddrs: record.multiaddrs.map(addressText),
    pbk: Buffer.from(record.pbk).toString('hex'),
    pbkNotAfter: new Date(record.pbkNotAfter).toISOString(),
    protocolVersion: record.protocolVersion,
    relayCapacity: record.relayCapacity,
    issuedAt: new Date(record.issuedAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString()
  }
}

export function presentApRecord (record: ApRecord): Record<string, unknown> {
  return {
    type: 'ap',
    ap: formatApAddress(record.ap),
    name: phantomNameFromRoutingKey(record.routingPub),
    routingPub: Buffer.from(record.routingPub).toString('hex'),
    e2ePub: Buffer.from(record.e2ePub).toString('hex'),
    entryNodes: record.entryNodes.map(e => ({ peerId: peerIdStringFromBytes(e.peerId), multiaddrs: e.multiaddrs.map(addressText) })),
    sequence: record.sequence.toString(),
    issuedAt: new Date(record.issuedAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString()
  }
}
