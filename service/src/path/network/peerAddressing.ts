/**
 * Between the path library's PeerRef (PeerId multihash bytes, binary
 * multiaddrs) and libp2p's PeerId / Multiaddr objects.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import { peerIdStringFromBytes } from '../../netdb/records/peerIdBytes.js'
import { MULTIADDR_MAX, MULTIADDRS_MAX } from '../setup/constants.js'
import type { PeerRef } from '../setup/peerRef.js'

const P2P_CODE = 421

/** The libp2p PeerId of multihash bytes (Ed25519 only). Throws on anything else. */
export function peerIdOfBytes (bytes: Uint8Array): PeerId {
  return peerIdFromString(peerIdStringFromBytes(bytes))
}

export function peerIdBytes (peerId: PeerId): Buffer {
  return Buffer.from(peerId.toMultihash().bytes)
}

/** The multiaddrs a package can carry: decodable, without /p2p, at most MULTIADDR_MAX bytes, at most MULTIADDRS_MAX of them. */
export function fittingMultiaddrs (addrs: ReadonlyArray<Uint8Array | Multiaddr>): Buffer[] {
  const out: Buffer[] = []
  const seen = new Set<string>()
  for (const a of addrs) {
    let ma: Multiaddr
    try {
      ma = a instanceof Uint8Array ? multiaddr(a) : a
      ma = ma.decapsulateCode(P2P_CODE)
    } catch {
      continue
    }
    const text = ma.toString()
    if (text.startsWith('/ip4/0.0.0.0/') || text.startsWith('/ip6/::/') || text.includes('/p2p-circuit')) continue
    const bytes = Buffer.from(ma.bytes)
    if (bytes.byteLength < 1 || bytes.byteLength > MULTIADDR_MAX || seen.has(text)) continue
    seen.add(text)
    out.push(bytes)
    if (out.length === MULTIADDRS_MAX) break
  }
  return out
}

/** Dial targets for a named successor: each of its multiaddrs with /p2p/<its PeerId>, so Noise checks the identity. */
export function dialTargets (ref: PeerRef): { peerId: PeerId, addrs: Multiaddr[] } {
  const peerId = peerIdOfBytes(ref.peerId)
  const addrs: Multiaddr[] = []
  for (const bytes of ref.multiaddrs) {
    try {
      addrs.push(multiaddr(bytes).decapsulateCode(P2P_CODE).encapsulate(`/p2p/${peerId.toString()}`))
    } catch {
      // an address we cannot parse is skipped; the others may work
    }
  }
  return { peerId, addrs }
}

/**
 * What to dial to reach `ref`: its addresses, or, when the package named it
 * without any (an owner that cannot be dialled, which connected to this node
 * first), its PeerId alone, which libp2p answers with the open connection.
 * Without addresses and without a connection it throws: a PeerId alone would
 * let libp2p look the peer up (peer store, DHT), a query no package may cause.
 */
export function dialTarget (ref: PeerRef, connected: (peerId: PeerId) => boolean): { peerId: PeerId, target: PeerId | Multiaddr[] } {
  const { peerId, addrs } = dialTargets(ref)
  if (ref.multiaddrs.length > 0) return { peerId, target: addrs }
  if (!connected(peerId)) throw new Error('neighbour named without an address is not connected to this node')
  return { peerId, target: peerId }
}

/** Whether `host` has an open connection to `peerId` (for `dialTarget`). */
export function connectedOn (host: { getConnections: (peerId?: PeerId) => Array<{ status: string }> }): (peerId: PeerId) => boolean {
  return (peerId) => host.getConnections(peerId).some((c) => c.status === 'open')
}
