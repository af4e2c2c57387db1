import { execFile } from 'node:child_process'
import { access } from 'node:fs/promises'
import { isIPv6 } from 'node:net'
import type { ListenAddress } from '../socks/loopbackListenAddress.js'
import { assertInterfaceName } from '../tun/interfaceName.js'

/**
 * Routing `.phantom` lookups to our resolver through systemd-resolved, per
 * link. Planned use: once the TUN link (`phantom0`) is up and systemd-resolved
 * runs, the daemon calls `routePhantomDomain('phantom0', dnsListen)`; that
 * makes the link's DNS server our resolver, `~phantom` its routing-only domain
 * (so `.phantom` names go there and only there) and takes the link out of the
 * default route (so no other name is sent to it). The settings belong to the
 * link and vanish with it; `unroutePhantomDomain` reverts them on a clean stop.
 *
 * To check in the system tests before relying on it: systemd-resolved ties
 * the sockets of a per-link server to that link and exempts only some
 * loopback servers from it (systemd issue #23010: a per-link server on
 * 127.x.y.z other than 127.0.0.1 timed out in versions 248–250). If Debian
 * 13's resolved still does, the per-link server must be 127.0.0.1 on a port
 * of its own (e.g. `dns.listen: 127.0.0.1:5353`; resolvectl takes a port) or
 * an address on `phantom0` itself.
 */

export const PHANTOM_ROUTING_DOMAIN = '~phantom'
const RESOLVECTL_TIMEOUT_MS = 10_000
/** Present while systemd-resolved runs (its Varlink socket). */
export const RESOLVED_VARLINK_SOCKET = '/run/systemd/resolve/io.systemd.Resolve'

export type ResolvectlRunner = (args: readonly string[]) => Promise<void>

export class ResolvectlError extends Error {
  constructor (message: string, readonly args: readonly string[]) {
    super(message)
    this.name = 'ResolvectlError'
  }
}

/** resolvectl's server syntax: "ADDRESS" on port 53, "ADDRESS:PORT" or "[ADDRESS]:PORT" otherwise (systemd ≥ 246). */
export function resolvectlServer (address: ListenAddress): string {
  if (address.port === 53) return address.host
  return isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}

/** The resolvectl argument vectors, in order, that route `~phantom` on `link` to `dns`. */
export function phantomRoutingCommands (link: string, dns: ListenAddress): string[][] {
  assertInterfaceName(link)
  if (!Number.isInteger(dns.port) || dns.port < 1 || dns.port > 0xffff) throw new RangeError(`invalid DNS port ${dns.port}`)
  return [
    ['dns', link, resolvectlServer(dns)],
    ['domain', link, PHANTOM_ROUTING_DOMAIN],
    ['default-route', link, 'false']
  ]
}

export function phantomUnroutingCommands (link: string): string[][] {
  assertInterfaceName(link)
  return [['revert', link]]
}

export function resolvectlRunner (resolvectlPath = 'resolvectl'): ResolvectlRunner {
  return async (args) => await new Promise<void>((resolve, reject) => {
    execFile(resolvectlPath, [...args], { timeout: RESOLVECTL_TIMEOUT_MS, windowsHide: true }, (error, _stdout, stderr) => {
      if (error === null) { resolve(); return }
      const detail = String(stderr).trim() || error.message
      reject(new ResolvectlError(`${resolvectlPath} ${args.join(' ')} failed: ${detail}`, args))
    })
  })
}

export async function isSystemdResolvedRunning (socketPath = RESOLVED_VARLINK_SOCKET): Promise<boolean> {
  try {
    await access(socketPath)
    return true
  } catch {
    return false
  }
}

export async function routePhantomDomain (link: string, dns: ListenAddress, run: ResolvectlRunner = resolvectlRunner()): Promise<void> {
  for (const args of phantomRoutingCommands(link, dns)) await run(args)
}

export async function unroutePhantomDomain (link: string, run: ResolvectlRunner = resolvectlRunner()): Promise<void> {
  for (const args of phantomUnroutingCommands(link)) await run(args)
}
