import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'

/** How a configured multiaddr is used, which decides what it may contain. */
export type MultiaddrRole = 'listen' | 'announce' | 'bootstrap'

export const MULTIADDR_ROLES: readonly MultiaddrRole[] = ['listen', 'announce', 'bootstrap']

const EXAMPLE: Record<MultiaddrRole, string> = {
  listen: '/ip4/0.0.0.0/tcp/4821',
  announce: '/ip4/203.0.113.7/tcp/4821',
  bootstrap: '/ip4/203.0.113.7/tcp/4821/p2p/12D3KooW…'
}

/** Multiaddr protocols that carry a DNS name instead of an address. */
export const NAME_PROTOCOLS: ReadonlySet<string> = new Set(['dns', 'dns4', 'dns6', 'dnsaddr'])

/**
 * What is wrong with `text` as a multiaddr for `role`, or undefined when it
 * is fine. listen: no /p2p/ part (the node's own identity is implied);
 * announce: IP addresses only, since other nodes never look up a name in a
 * peer's addresses (link/addressPolicy.ts); bootstrap: a transport address
 * followed by exactly one final /p2p/<peer id>, where a name may be /dns,
 * /dns4 or /dns6 (resolved by this node when it dials, link/operatorNames.ts)
 * but not /dnsaddr (a TXT record could name any peer and address).
 */
export function multiaddrProblem (text: string, role: MultiaddrRole): string | undefined {
  const expected = role === 'bootstrap'
    ? `expected a multiaddr ending in /p2p/<peer id>, such as ${EXAMPLE.bootstrap}`
    : `expected a multiaddr such as ${EXAMPLE[role]}`
  if (!text.startsWith('/')) return `${expected} (a multiaddr starts with /), got ${JSON.stringify(shorten(text))}`
  let components: Array<{ name: string, value?: string }>
  try {
    components = multiaddr(text).getComponents()
  } catch (err) {
    return `${expected}, got ${JSON.stringify(shorten(text))} (${shorten(firstLine(err))})`
  }
  if (components.length === 0) return `${expected}, got an empty multiaddr`
  const peerParts = components.filter((c) => c.name === 'p2p')
  if (role === 'listen' && peerParts.length > 0) {
    return `a listen address must not contain /p2p/ (the node listens under its own peer id), got ${JSON.stringify(shorten(text))}`
  }
  const name = components.find((c) => NAME_PROTOCOLS.has(c.name))
  if (role === 'announce' && name !== undefined) {
    return `an announced address must be an IP address (other nodes never look up names in a peer's addresses), ${expected}, got ${JSON.stringify(shorten(text))}`
  }
  if (role === 'bootstrap' && name?.name === 'dnsaddr') {
    return `/dnsaddr/ is not supported (write /dns4/, /dns6/ or an IP address), ${expected}, got ${JSON.stringify(shorten(text))}`
  }
  if (role === 'bootstrap') {
    const last = components[components.length - 1]
    if (last === undefined || last.name !== 'p2p' || peerParts.length !== 1) return `${expected}, got ${JSON.stringify(shorten(text))}`
    if (components.length < 2) return `${expected} (the address before /p2p/ is missing), got ${JSON.stringify(shorten(text))}`
    try {
      peerIdFromString(last.value ?? '')
    } catch {
      return `${expected}, got ${JSON.stringify(shorten(text))} (${JSON.stringify(shorten(last.value ?? ''))} is not a valid peer id)`
    }
  }
  return undefined
}

function firstLine (err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n')[0] ?? ''
}

function shorten (text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}

/** What is wrong with `text` as a peer ID (canonical base58 or CID text), or undefined when it is fine. */
export function peerIdProblem (text: string): string | undefined {
  try {
    const id = peerIdFromString(text)
    if (id.toString() !== text) return `expected a peer ID in its canonical form (${id.toString()}), got ${JSON.stringify(shorten(text))}`
    return undefined
  } catch {
    return `expected a peer ID such as 12D3KooW…, got ${JSON.stringify(shorten(text))}`
  }
}
