import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { multiaddrProblem } from '../config/multiaddrCheck.js'
import { SEED_FILE_MAX_ENTRIES } from './seedFile.js'

/** A peer this node knows, with its dialable transport addresses (no /p2p/). */
export interface KnownPeer {
  peerId: string
  addrs: readonly string[]
}

export interface SeedExportInput {
  /** This node's peer ID and the addresses it listens on and announces (with or without /p2p/). */
  ownPeerId: string
  ownAddrs: readonly Multiaddr[]
  /** Peers currently connected, and the peer cache (most recently seen first); a peer may be in both. */
  connected: readonly KnownPeer[]
  cached: readonly KnownPeer[]
  /** The node's address policy: which addresses are worth handing out. */
  allowed: (addr: Multiaddr) => boolean
}

/**
 * The lines of a seed file exported by this node: its own addresses first (so
 * the file bootstraps a node towards this one), then the connected peers, then
 * the rest of the peer cache. Addresses are taken round-robin (every peer's
 * first address, then every peer's second, …), so a full file covers as many
 * peers as possible. Only addresses the node's policy allows, never relayed
 * (`/p2p-circuit`) ones; every line ends in `/p2p/<peer id>`; at most
 * SEED_FILE_MAX_ENTRIES lines, distinct.
 */
export function seedEntriesForExport (input: SeedExportInput): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  const add = (addr: Multiaddr, peerId: string): void => {
    if (out.length >= SEED_FILE_MAX_ENTRIES) return
    let text: string
    try {
      if (!input.allowed(addr)) return
      const components = addr.getComponents()
      if (components.some(c => c.name === 'p2p-circuit')) return
      const last = components[components.length - 1]
      const withPeer = last?.name === 'p2p' ? addr : addr.encapsulate(`/p2p/${peerId}`)
      text = withPeer.toString()
    } catch {
      return
    }
    if (seen.has(text) || multiaddrProblem(text, 'bootstrap') !== undefined) return
    if (!text.endsWith(`/p2p/${peerId}`)) return
    seen.add(text)
    out.push(text)
  }
  for (const addr of input.ownAddrs) add(addr, input.ownPeerId)

  const order: KnownPeer[] = []
  const placed = new Set<string>([input.ownPeerId])
  const cachedById = new Map(input.cached.map(p => [p.peerId, p]))
  for (const p of input.connected) {
    if (placed.has(p.peerId)) continue
    placed.add(p.peerId)
    // a connected peer's listen addresses come from identify, as in the cache; an inbound connection's remote port is useless
    const addrs = [...new Set([...(cachedById.get(p.peerId)?.addrs ?? []), ...p.addrs])]
    order.push({ peerId: p.peerId, addrs })
  }
  for (const p of input.cached) {
    if (placed.has(p.peerId)) continue
    placed.add(p.peerId)
    order.push(p)
  }
  const parsed = order.map(p => ({ peerId: p.peerId, addrs: p.addrs.flatMap(a => { try { return [multiaddr(a)] } catch { return [] } }) }))
  const rounds = Math.max(0, ...parsed.map(p => p.addrs.length))
  for (let round = 0; round < rounds && out.length < SEED_FILE_MAX_ENTRIES; round++) {
    for (const p of parsed) {
      const addr = p.addrs[round]
      if (addr !== undefined) add(addr, p.peerId)
    }
  }
  return out
}
