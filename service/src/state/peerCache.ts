import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { writeFileAtomic } from './atomicFile.js'

export const PEER_CACHE_FILE = 'peers.json'
const MAX_ADDRS_PER_PEER = 8

export interface CachedPeer {
  peerId: string
  addrs: string[]
  lastSeen: number
}

export type PeerCacheLoad = { peers: CachedPeer[], problem?: string }

/**
 * The persisted peer cache (§6.5 "cache thousands of peers"): peers this node
 * has been connected to, most recently seen first, at most `size` entries,
 * re-primed at start so a node rejoins without any bootstrap list. It is a
 * cache: an unreadable or corrupt file is reported and replaced, never fatal.
 */
export class PeerCache {
  private readonly peers = new Map<string, CachedPeer>()
  private readonly file: string

  constructor (dataDir: string, private readonly size: number) {
    this.file = join(dataDir, PEER_CACHE_FILE)
  }

  async load (): Promise<PeerCacheLoad> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { peers: [] }
      return { peers: [], problem: `cannot read ${this.file}: ${(err as Error).message}` }
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return { peers: [], problem: `${this.file} is not valid JSON; starting with an empty cache` }
    }
    if (!Array.isArray(parsed)) return { peers: [], problem: `${this.file}: expected a JSON array; starting with an empty cache` }
    let skipped = 0
    for (const item of parsed) {
      const peer = validCachedPeer(item)
      if (peer == null) { skipped++; continue }
      this.peers.set(peer.peerId, peer)
    }
    this.trim()
    const result: PeerCacheLoad = { peers: this.list() }
    if (skipped > 0) result.problem = `${this.file}: skipped ${skipped} malformed entries`
    return result
  }

  /** Records a peer seen now (connected, or found with addresses). */
  remember (peerId: string, addrs: Multiaddr[], now = Date.now()): void {
    if (this.size === 0) return
    const usable = addrs.map(a => a.toString()).filter(a => !a.includes('/p2p-circuit')).slice(0, MAX_ADDRS_PER_PEER)
    if (usable.length === 0) return
    this.peers.delete(peerId)
    this.peers.set(peerId, { peerId, addrs: usable, lastSeen: now })
    this.trim()
  }

  forget (peerId: string): void {
    this.peers.delete(peerId)
  }

  list (): CachedPeer[] {
    return [...this.peers.values()].sort((a, b) => b.lastSeen - a.lastSeen)
  }

  /** Dialable multiaddrs with `/p2p/<peerId>` for every cached peer, most recent first. */
  dialAddresses (): Multiaddr[] {
    return this.list().flatMap(p => p.addrs.map(a => multiaddr(a).encapsulate(`/p2p/${p.peerId}`)))
  }

  get count (): number {
    return this.peers.size
  }

  async save (): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(this.list(), null, 1) + '\n', 0o600)
  }

  private trim (): void {
    if (this.peers.size <= this.size) return
    const keep = this.list().slice(0, this.size)
    this.peers.clear()
    for (const p of keep) this.peers.set(p.peerId, p)
  }
}

function validCachedPeer (item: unknown): CachedPeer | null {
  if (item == null || typeof item !== 'object') return null
  const { peerId, addrs, lastSeen } = item as Record<string, unknown>
  if (typeof peerId !== 'string' || !Array.isArray(addrs) || typeof lastSeen !== 'number' || !Number.isFinite(lastSeen)) return null
  try {
    peerIdFromString(peerId)
    const clean = addrs.slice(0, MAX_ADDRS_PER_PEER).map(a => {
      if (typeof a !== 'string') throw new Error('not a string')
      const ma = multiaddr(a)
      if (ma.getComponents().some(c => c.name === 'p2p')) throw new Error('address carries a peer id')
      return ma.toString()
    })
    if (clean.length === 0) return null
    return { peerId, addrs: clean, lastSeen }
  } catch {
    return null
  }
}
