import { execFile } from 'node:child_process'
import { isIPv4, isIPv6 } from 'node:net'
import { assertInterfaceName } from './interfaceName.js'
import { ipv4PrefixProblem } from './ipv4/ipv4Prefix.js'

export const AP_ROUTE_PREFIX = 'fd50::/16'
export const IPV6_MIN_MTU = 1280
export const IPV4_MIN_MTU = 68
export const MAX_LINK_MTU = 65535
const IP_TIMEOUT_MS = 10_000

/** Runs `ip` with an argument vector (never through a shell); rejects with a clear error. */
export type IpCommandRunner = (args: readonly string[]) => Promise<void>

export class LinkConfigError extends Error {
  constructor (message: string, readonly args: readonly string[], readonly stderr: string) {
    super(message)
    this.name = 'LinkConfigError'
  }
}

export function ipCommandRunner (ipPath = 'ip'): IpCommandRunner {
  return async (args) => await new Promise<void>((resolve, reject) => {
    execFile(ipPath, [...args], { timeout: IP_TIMEOUT_MS, windowsHide: true }, (error, _stdout, stderr) => {
      if (error === null) { resolve(); return }
      const command = `${ipPath} ${args.join(' ')}`
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') {
        reject(new LinkConfigError(`${command}: the ip command (iproute2) was not found`, args, ''))
        return
      }
      const detail = String(stderr).trim() || error.message
      const why = error.killed ? `timed out after ${IP_TIMEOUT_MS} ms` : `failed (exit ${String(code)})`
      reject(new LinkConfigError(`${command} ${why}: ${detail}`, args, String(stderr)))
    })
  })
}

const defaultRunner = ipCommandRunner()

export function assertMtu (mtu: number): void {
  if (!Number.isInteger(mtu) || mtu < IPV6_MIN_MTU || mtu > MAX_LINK_MTU) {
    throw new RangeError(`invalid MTU ${mtu}: expected an integer in ${IPV6_MIN_MTU}..${MAX_LINK_MTU}`)
  }
}

/** A plain IPv6 address: no prefix length, no zone. */
export function assertIpv6Address (address: string): void {
  if (!isIPv6(address) || address.includes('%')) throw new RangeError(`invalid IPv6 address ${JSON.stringify(address)}`)
}

export function assertIpv4Address (address: string): void {
  if (!isIPv4(address)) throw new RangeError(`invalid IPv4 address ${JSON.stringify(address)}`)
}

function assertIpv4Route (prefix: string, source: string, mtu: number): void {
  const problem = ipv4PrefixProblem(prefix)
  if (problem !== undefined) throw new RangeError(problem)
  assertIpv4Address(source)
  if (!Number.isInteger(mtu) || mtu < IPV4_MIN_MTU || mtu > MAX_LINK_MTU) throw new RangeError(`invalid IPv4 MTU ${mtu}: expected an integer in ${IPV4_MIN_MTU}..${MAX_LINK_MTU}`)
}

/** "address/length" with an IPv6 address and 0..128. */
export function assertIpv6Prefix (prefix: string): void {
  const match = /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(prefix)
  const length = match === null ? NaN : Number(match[2])
  if (match === null || !isIPv6(match[1] as string) || length > 128) {
    throw new RangeError(`invalid IPv6 prefix ${JSON.stringify(prefix)}: expected ADDRESS/0..128`)
  }
}

export async function setLinkMtu (name: string, mtu: number, run: IpCommandRunner = defaultRunner): Promise<void> {
  assertInterfaceName(name)
  assertMtu(mtu)
  await run(['link', 'set', 'dev', name, 'mtu', String(mtu)])
}

export async function setLinkUp (name: string, run: IpCommandRunner = defaultRunner): Promise<void> {
  assertInterfaceName(name)
  await run(['link', 'set', 'dev', name, 'up'])
}

/** Adds (or keeps) ADDRESS/128 on the link, without duplicate address detection. */
export async function addLinkAddress (name: string, address: string, run: IpCommandRunner = defaultRunner): Promise<void> {
  assertInterfaceName(name)
  assertIpv6Address(address)
  await run(['-6', 'address', 'replace', `${address}/128`, 'dev', name, 'nodad'])
}

/** Routes PREFIX into the link (replacing any route for the same prefix). */
export async function addLinkRoute (name: string, prefix: string = AP_ROUTE_PREFIX, run: IpCommandRunner = defaultRunner): Promise<void> {
  assertInterfaceName(name)
  assertIpv6Prefix(prefix)
  await run(['-6', 'route', 'replace', prefix, 'dev', name])
}

/** Adds (or keeps) the IPv4 ADDRESS/32 on the link (the IPv4 mapping's own address). */
export async function addLinkIpv4Address (name: string, address: string, run: IpCommandRunner = defaultRunner): Promise<void> {
  assertInterfaceName(name)
  assertIpv4Address(address)
  await run(['-4', 'address', 'replace', `${address}/32`, 'dev', name])
}

/** Routes the IPv4 mapping's PREFIX into the link from SOURCE, with the MTU IPv4 packets may have (20 below the link's). */
export async function addLinkIpv4Route (name: string, prefix: string, source: string, mtu: number, run: IpCommandRunner = defaultRunner): Promise<void> {
  assertInterfaceName(name)
  assertIpv4Route(prefix, source, mtu)
  await run(['-4', 'route', 'replace', prefix, 'dev', name, 'src', source, 'mtu', String(mtu)])
}

/** Removes the link (a leftover persistent device; a closed TUN fd removes its own). */
export async function deleteLink (name: string, run: IpCommandRunner = defaultRunner): Promise<void> {
  assertInterfaceName(name)
  await run(['link', 'delete', 'dev', name])
}

export interface TunLinkSettings {
  mtu: number
  /** The node's AP addresses, each added as /128. */
  addresses: readonly string[]
  /** Routed into the link; PROTOCOL.md §9: fd50::/16. */
  routes?: readonly string[]
  /** The IPv4 mapping for IPv4-only programs: the node's own address (/32) and the prefix routed into the link. */
  ipv4?: { address: string, prefix: string, mtu: number }
}

/** MTU, up, addresses, routes: in that order (routes need the link up). Everything is validated before `ip` runs. */
export async function configureTunLink (name: string, settings: TunLinkSettings, run: IpCommandRunner = defaultRunner): Promise<void> {
  const routes = settings.routes ?? [AP_ROUTE_PREFIX]
  assertInterfaceName(name)
  assertMtu(settings.mtu)
  settings.addresses.forEach(assertIpv6Address)
  routes.forEach(assertIpv6Prefix)
  if (settings.ipv4 !== undefined) assertIpv4Route(settings.ipv4.prefix, settings.ipv4.address, settings.ipv4.mtu)
  await setLinkMtu(name, settings.mtu, run)
  await setLinkUp(name, run)
  for (const address of settings.addresses) await addLinkAddress(name, address, run)
  for (const route of routes) await addLinkRoute(name, route, run)
  if (settings.ipv4 !== undefined) await configureTunIpv4(name, settings.ipv4, run)
}

/** The IPv4 mapping's part: the own address as /32, then the prefix routed from it with the IPv4 MTU. Validated first. */
export async function configureTunIpv4 (name: string, ipv4: { address: string, prefix: string, mtu: number }, run: IpCommandRunner = defaultRunner): Promise<void> {
  assertInterfaceName(name)
  assertIpv4Route(ipv4.prefix, ipv4.address, ipv4.mtu)
  await addLinkIpv4Address(name, ipv4.address, run)
  await addLinkIpv4Route(name, ipv4.prefix, ipv4.address, ipv4.mtu, run)
}
