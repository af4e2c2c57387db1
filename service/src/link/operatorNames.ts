import { lookup } from 'node:dns/promises'
import { isIPv4, isIPv6 } from 'node:net'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { MultiaddrResolver } from '@libp2p/interface'
import type { Logger } from '../logging/logger.js'
import { isAllowedAddress, type AddressPolicy } from './addressPolicy.js'

/** At most this many names are remembered; beyond it the oldest is forgotten. */
export const OPERATOR_NAMES_MAX = 1024
/** At most this many addresses are taken from one lookup. */
export const OPERATOR_NAME_MAX_ADDRESSES = 8
/** A lookup that has not answered in this time counts as failed. */
export const OPERATOR_NAME_LOOKUP_TIMEOUT_MS = 5_000

/** Looks `name` up in the system resolver: IPv4 (4), IPv6 (6) or both (0). */
export type NameLookup = (name: string, family: 0 | 4 | 6) => Promise<string[]>

export const systemNameLookup: NameLookup = async (name, family) =>
  (await lookup(name, { all: true, family, order: 'verbatim' })).map((a) => a.address)

const FAMILY: Record<string, 0 | 4 | 6> = { dns: 0, dns4: 4, dns6: 6 }

/**
 * The DNS names the operator wrote (`bootstrap`, seed files, `peers import`),
 * and the only names the link layer ever looks up.
 *
 * A name in a peer's addresses is never dialled as it is (addressPolicy.ts):
 * looking up a name taken from a node record, a DHT answer or identify would
 * tell whoever runs its name server that this node is dialling, and would let
 * that server choose the address after any check on the name. A name the
 * operator wrote is looked up by `resolver()` when libp2p dials it; the dial
 * then goes to the IP addresses the lookup gave, each checked by the
 * connection gater like any other address, so a name resolving to a LAN
 * address is refused when `network.allowPrivateAddresses` is false.
 */
export class OperatorNames {
  private readonly names = new Set<string>()
  private readonly lookupName: NameLookup
  private readonly timeoutMs: number

  /** `lookup` and `timeoutMs` are for tests; the daemon uses the system resolver and OPERATOR_NAME_LOOKUP_TIMEOUT_MS. */
  constructor (
    private readonly policy: AddressPolicy,
    private readonly log: Logger,
    options: { lookup?: NameLookup, timeoutMs?: number } = {}
  ) {
    this.lookupName = options.lookup ?? systemNameLookup
    this.timeoutMs = options.timeoutMs ?? OPERATOR_NAME_LOOKUP_TIMEOUT_MS
  }

  /** Remembers the /dns, /dns4 or /dns6 name in each address, if it has one. */
  addFrom (addrs: readonly Multiaddr[]): void {
    for (const addr of addrs) {
      const name = nameOf(addr)
      if (name === undefined) continue
      this.names.delete(name)
      this.names.add(name)
      if (this.names.size > OPERATOR_NAMES_MAX) {
        const oldest = this.names.values().next().value
        if (oldest !== undefined) this.names.delete(oldest)
      }
    }
  }

  has (name: string): boolean {
    return this.names.has(canonicalName(name))
  }

  /** A libp2p multiaddr resolver for /dns, /dns4 and /dns6 that looks up only the operator's names. */
  resolver (): MultiaddrResolver {
    return {
      canResolve: (addr) => nameOf(addr) !== undefined,
      resolve: async (addr, options) => await this.resolve(addr, options.signal)
    }
  }

  /** `addr` with its name replaced by each address the name resolves to; [] for a name the operator did not write. */
  async resolve (addr: Multiaddr, signal?: AbortSignal): Promise<Multiaddr[]> {
    const [first, ...rest] = addr.getComponents()
    const name = nameOf(addr)
    if (first === undefined || name === undefined) return [addr]
    if (!this.names.has(name)) {
      this.log.debug('a name in a peer\'s addresses not looked up (only the names in bootstrap, seed files and imports are)', { addr: addr.toString() })
      return []
    }
    const family = FAMILY[first.name] ?? 0
    let found: string[]
    try {
      found = await withTimeout(this.lookupName(name, family), this.timeoutMs, signal)
    } catch (err) {
      this.log.warn('name lookup failed', { name, err })
      return []
    }
    const resolved = found
      .filter((a) => family === 4 ? isIPv4(a) : family === 6 ? isIPv6(a) : isIPv4(a) || isIPv6(a))
      .slice(0, OPERATOR_NAME_MAX_ADDRESSES)
      .flatMap((a) => withAddress(a, rest))
    const allowed = resolved.filter((a) => isAllowedAddress(a, this.policy))
    if (resolved.length > allowed.length) {
      this.log.warn('a name resolves to addresses the address policy refuses (network.allowPrivateAddresses is false); those are not dialled', {
        name, refused: resolved.filter((a) => !allowed.includes(a)).map((a) => a.toString())
      })
    } else {
      this.log.debug('name resolved', { name, addrs: resolved.map((a) => a.toString()) })
    }
    return allowed
  }
}

/** `/ip4/a` or `/ip6/a` followed by `rest`; nothing for an address a multiaddr cannot carry (an IPv6 zone such as `fe80::1%eth0`). */
function withAddress (address: string, rest: ReturnType<Multiaddr['getComponents']>): Multiaddr[] {
  try {
    // parsed from text, which validates the address (a list of components would not)
    const host = multiaddr(`/${isIPv4(address) ? 'ip4' : 'ip6'}/${address}`)
    return [multiaddr([...host.getComponents(), ...rest])]
  } catch {
    return []
  }
}

/** The lower-case name, without a final dot, of an address starting /dns, /dns4 or /dns6; undefined for any other. */
function nameOf (addr: Multiaddr): string | undefined {
  const first = addr.getComponents()[0]
  if (first === undefined || FAMILY[first.name] === undefined || first.value === undefined) return undefined
  return canonicalName(first.value)
}

function canonicalName (name: string): string {
  return name.toLowerCase().replace(/\.$/, '')
}

async function withTimeout<T> (promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => { reject(new Error(`no answer within ${ms} ms`)) }, ms)
        if (signal != null) {
          onAbort = () => { reject(new Error('dial aborted')) }
          if (signal.aborted) onAbort()
          else signal.addEventListener('abort', onAbort, { once: true })
        }
      })
    ])
  } finally {
    clearTimeout(timer)
    if (onAbort != null) signal?.removeEventListener('abort', onAbort)
  }
}
