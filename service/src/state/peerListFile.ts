import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'

/**
 * The portable peer list (`phantomctl peers export|import`, seed files on a
 * USB stick): UTF-8 text, one dialable multiaddr ending in `/p2p/<peerId>` per
 * line; blank lines and lines starting with `#` are ignored.
 */
export const PEER_LIST_MAX_BYTES = 4 * 1024 * 1024
export const PEER_LIST_MAX_ENTRIES = 100_000

export class PeerListError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'PeerListError'
  }
}

export function parsePeerList (text: string, fileName: string): Multiaddr[] {
  if (Buffer.byteLength(text) > PEER_LIST_MAX_BYTES) throw new PeerListError(`${fileName}: larger than ${PEER_LIST_MAX_BYTES} bytes`)
  const out: Multiaddr[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim()
    if (line === '' || line.startsWith('#')) continue
    let ma: Multiaddr
    try {
      ma = multiaddr(line)
    } catch {
      throw new PeerListError(`${fileName}:${i + 1}: not a multiaddr: ${JSON.stringify(line.slice(0, 80))}`)
    }
    const peer = ma.getComponents().find(c => c.name === 'p2p')?.value
    if (peer == null) throw new PeerListError(`${fileName}:${i + 1}: multiaddr has no /p2p/<peerId> part`)
    try {
      peerIdFromString(peer)
    } catch {
      throw new PeerListError(`${fileName}:${i + 1}: invalid peer id ${JSON.stringify(peer)}`)
    }
    out.push(ma)
    if (out.length > PEER_LIST_MAX_ENTRIES) throw new PeerListError(`${fileName}: more than ${PEER_LIST_MAX_ENTRIES} entries`)
  }
  return out
}

export function formatPeerList (addrs: Multiaddr[], comment: string): string {
  return [`# ${comment}`, ...addrs.map(a => a.toString())].join('\n') + '\n'
}
