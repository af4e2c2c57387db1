import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import type { PhantomHost } from '../link/phantomHost.js'
import { isAllowedAddress, type AddressPolicy } from '../link/addressPolicy.js'
import { randomBytes, shuffleInPlace } from '../crypto/random.js'
import { decodeNodeRecord, type NodeRecord } from './records/nodeRecord.js'
import { nodeRecordKey } from './recordKeys.js'
import { filterDiverseCandidates } from './diversityFilter.js'
import type { RecordReadResult } from './recordReader.js'

export interface RandomNodeSource {
  host: PhantomHost
  settings: AddressPolicy
  getRecord: (key: Uint8Array) => Promise<RecordReadResult | null>
}

export interface SampledNode {
  peerId: string
  record: NodeRecord
  /** The record's dialable addresses, as text. */
  addresses: string[]
  /** The DHT peer whose answer proposed this node. */
  proposedBy: string
  multiaddrs: Uint8Array[]
}

export interface SampleOptions {
  count: number
  /** Apply the diversity filter (one node per IPv4 /16 and IPv6 /48). */
  diversity: boolean
  /** Random-key walks to run. */
  walks: number
  timeoutMs: number
  /** Peers never to return (e.g. this node, nodes already chosen, the blocklist). */
  exclude?: Set<string>
}

/**
 * GetRandomNodeIPAddresses (§7.4.3, PROTOCOL.md §4): several random-key walks
 * through the DHT; from each responding peer at most one candidate, so no
 * single database node can fill the sample; each candidate kept only with a
 * valid node record that lists a dialable address; then the diversity filter.
 */
export async function sampleRandomNodes (source: RandomNodeSource, options: SampleOptions): Promise<SampledNode[]> {
  const self = source.host.peerId.toString()
  const exclude = options.exclude ?? new Set<string>()
  const proposals = new Map<string, string>() // candidate -> responder
  const usedResponders = new Set<string>()
  const deadline = AbortSignal.timeout(options.timeoutMs)

  for (let walk = 0; walk < options.walks && !deadline.aborted; walk++) {
    try {
      for await (const event of source.host.services.dht.getClosestPeers(randomBytes(32), { signal: deadline })) {
        if (event.name !== 'PEER_RESPONSE') continue
        const responder = event.from.toString()
        if (usedResponders.has(responder)) continue
        const offered = shuffleInPlace(event.closer.map((p: { id: PeerId }) => p.id.toString()))
          .filter(id => id !== self && id !== responder && !exclude.has(id) && !proposals.has(id))
        const pick = offered[0]
        if (pick == null) continue
        usedResponders.add(responder)
        proposals.set(pick, responder)
      }
    } catch {
      // a walk that fails or times out still contributes what it found
    }
  }

  const checked = await Promise.all([...proposals.entries()].map(async ([peerId, responder]): Promise<SampledNode | null> => {
    let found
    let record: NodeRecord
    try {
      // a hostile responder may offer peer IDs we cannot use (not Ed25519, not canonical): skip them
      found = await source.getRecord(nodeRecordKey(peerId))
      if (found == null) return null
      record = decodeNodeRecord(found.value)
    } catch {
      return null
    }
    const addresses = record.multiaddrs
      .map(bytes => { try { return multiaddr(bytes) } catch { return null } })
      .filter((a): a is NonNullable<typeof a> => a != null && isAllowedAddress(a, source.settings))
    if (addresses.length === 0) return null
    return { peerId, record, addresses: addresses.map(String), proposedBy: responder, multiaddrs: addresses.map(a => a.bytes) }
  }))
  const valid = shuffleInPlace(checked.filter((n): n is SampledNode => n != null))
  const diverse = filterDiverseCandidates(valid, { enabled: options.diversity })
  return diverse.slice(0, options.count)
}
