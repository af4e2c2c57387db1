import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/**
 * IPv4 link-local addresses (169.254/16, RFC 3927) for the announced address
 * list. libp2p expands a wildcard listen address (`/ip4/0.0.0.0/tcp/P`) into
 * the host's interface addresses but leaves link-local ones out, so on a LAN
 * without a DHCP server (two PCs on a bare switch, where each only has a
 * 169.254 address) a node would announce nothing but 127.0.0.1 and mDNS would
 * give its neighbours nothing to dial. The announce filter adds them back.
 *
 * IPv6 link-local (fe80::/10) addresses are not added: they are only usable
 * with a zone (the interface), which a multiaddr sent to another host cannot
 * carry meaningfully.
 */

const LOOPBACK_IPV4 = '127.0.0.1'

/** The host's IPv4 link-local addresses, read from its interfaces now. */
export function linkLocalIPv4Addresses (interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const found = new Set<string>()
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal && isLinkLocalIPv4(info.address)) found.add(info.address)
    }
  }
  return [...found].sort()
}

export function isLinkLocalIPv4 (address: string): boolean {
  const parts = address.split('.')
  if (parts.length !== 4 || parts[0] !== '169' || parts[1] !== '254') return false
  return parts.every(p => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)
}

interface TcpListen { host: string, port: number }

function ip4Tcp (ma: Multiaddr): TcpListen | undefined {
  const [ip, tcp] = ma.getComponents()
  if (ip?.name !== 'ip4' || tcp?.name !== 'tcp' || ip.value == null || tcp.value == null) return undefined
  return { host: ip.value, port: Number(tcp.value) }
}

/**
 * Adds `/ip4/<link-local>/tcp/<port>/p2p/<self>` for every link-local address
 * and every port a wildcard IPv4 TCP listener (`/ip4/0.0.0.0/tcp/P`, P may be
 * 0) listens on. The port is read from the loopback address libp2p derived
 * from that same wildcard listener (`/ip4/127.0.0.1/tcp/<port>/p2p/<self>`,
 * always present because loopback is never left out); a loopback address of a
 * listener configured explicitly on an IPv4 address is not taken. The result
 * keeps `addrs` first, in order, without duplicates. Pure: `listen` is the
 * configured listen list, `linkLocal` the host's link-local addresses.
 */
export function withLinkLocalAddresses (addrs: Multiaddr[], listen: readonly string[], linkLocal: readonly string[]): Multiaddr[] {
  if (linkLocal.length === 0) return addrs
  const wildcardPorts = new Set<number>()
  const explicitPorts = new Set<number>()
  for (const text of listen) {
    let parsed: TcpListen | undefined
    try {
      parsed = ip4Tcp(multiaddr(text))
    } catch {
      continue
    }
    if (parsed == null) continue
    if (parsed.host === '0.0.0.0') wildcardPorts.add(parsed.port)
    else explicitPorts.add(parsed.port)
  }
  if (wildcardPorts.size === 0) return addrs
  const seen = new Set(addrs.map(String))
  const added: Multiaddr[] = []
  for (const ma of addrs) {
    const tcp = ip4Tcp(ma)
    if (tcp?.host !== LOOPBACK_IPV4) continue
    const fromWildcard = wildcardPorts.has(tcp.port) || (wildcardPorts.has(0) && !explicitPorts.has(tcp.port))
    if (!fromWildcard) continue
    // everything after /ip4/…/tcp/… (the /p2p/<self> libp2p appended) is kept
    const rest = ma.getComponents().slice(2)
    for (const host of linkLocal) {
      const text = `/ip4/${host}/tcp/${tcp.port}` + rest.map(c => c.value == null ? `/${c.name}` : `/${c.name}/${c.value}`).join('')
      if (seen.has(text)) continue
      seen.add(text)
      added.push(multiaddr(text))
    }
  }
  return added.length === 0 ? addrs : [...addrs, ...added]
}
