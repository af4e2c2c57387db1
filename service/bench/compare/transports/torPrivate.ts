/**
 * A private Tor network from Debian's `tor` package, every process inside ONE
 * network namespace that has only a loopback interface (checked: no route
 * leads anywhere else), so it cannot reach the public Tor network:
 *   3 directory authorities (keys from tor-gencert) that are also relays,
 *   4 more relays, one of them the exit (policy: the bench server only),
 *   a v3 onion service in front of the bench server (127.0.0.1:7000),
 *   a client with a SOCKS port.
 * Paths: to the onion service (client and service each build their half:
 * 6 relays) and through a 3-hop exit circuit to 127.0.0.1:7000. Ready means:
 * the client logged "Bootstrapped 100%" and a connection went through each
 * path (bounded waits, no fixed sleeps).
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  mustRun, namespaceName, namespaceRoutes, startBenchServer, TransportResources, waitUntil, type NamespacedProcess
} from '../namespaces.js'
import type { BenchPath, NodeProcess, Transport } from '../transport.js'
import {
  authorityTorrc, clientTorrc, exitTorrc, onionServiceTorrc, parseCertificateFingerprint, parseFingerprintLine, relayTorrc,
  type AuthorityIdentity, type TorNodeSettings
} from './torConfig.js'
import { waitForPath } from './probePath.js'

export const TOR_AUTHORITIES = 3
/** Relays besides the authorities; the last one is the exit. */
export const TOR_RELAYS = 4
const AUTHORITY_OR_PORT = 5000
const AUTHORITY_DIR_PORT = 7100
const RELAY_OR_PORT = 5100
const SOCKS_PORT = 9050
const SERVER = { host: '127.0.0.1', port: 7000 }
const ONION_PORT = 7000
const BOOTSTRAP_TIMEOUT_MS = 240_000
const PATH_TIMEOUT_MS = 240_000

export class TorPrivateTransport implements Transport {
  readonly name = 'tor'
  private readonly namespace = namespaceName('tor')
  private readonly resources = new TransportResources()
  private readonly tors: NamespacedProcess[] = []
  private server: NamespacedProcess | undefined
  private onionAddress = ''
  private readonly facts: Record<string, string> = {}

  async start (): Promise<void> {
    const t0 = performance.now()
    this.facts['tor version'] = (await mustRun('tor', ['--version'])).stdout.split('\n')[0]?.trim() ?? '?'
    await this.resources.namespace(this.namespace)
    const routes = await namespaceRoutes(this.namespace)
    const escaping = routes.filter((r) => !/\bdev lo\b/.test(r))
    if (escaping.length > 0) throw new Error(`the tor namespace has routes besides loopback: ${escaping.join('; ')}`)
    const links = (await mustRun('ip', ['-n', this.namespace, '-o', 'link', 'show'])).stdout.trim().split('\n')
    if (links.length !== 1 || !/: lo:/.test(links[0] ?? '')) throw new Error(`the tor namespace has interfaces besides lo: ${links.join('; ')}`)
    this.facts['namespace'] = `${this.namespace}: interfaces lo only; ${routes.length} routes, all via lo`

    const directory = await this.resources.temporaryDirectory('phcmp-tor-')
    const ownerPid = process.pid

    // Identities: authority v3 keys (tor-gencert) and every relay's identity key.
    const relayDirs: Array<{ nickname: string, dir: string, orPort: number }> = []
    for (let i = 0; i < TOR_AUTHORITIES; i++) relayDirs.push({ nickname: `auth${i}`, dir: join(directory, `auth${i}`), orPort: AUTHORITY_OR_PORT + i })
    for (let i = 0; i < TOR_RELAYS; i++) {
      const exit = i === TOR_RELAYS - 1
      relayDirs.push({ nickname: exit ? 'exit0' : `relay${i}`, dir: join(directory, exit ? 'exit0' : `relay${i}`), orPort: RELAY_OR_PORT + i })
    }
    const fingerprints = new Map<string, string>()
    for (const r of relayDirs) {
      await mkdir(join(r.dir, 'keys'), { recursive: true, mode: 0o700 })
      await chmod(r.dir, 0o700)
      const listed = await mustRun('ip', ['netns', 'exec', this.namespace, 'tor', '--quiet', '--ignore-missing-torrc', '--defaults-torrc', '/dev/null',
        '--list-fingerprint', '--orport', '1', '--datadirectory', r.dir], 60_000)
      fingerprints.set(r.nickname, parseFingerprintLine(listed.stdout))
    }
    const authorities: AuthorityIdentity[] = []
    for (let i = 0; i < TOR_AUTHORITIES; i++) {
      const keys = join(directory, `auth${i}`, 'keys')
      const dirPort = AUTHORITY_DIR_PORT + i
      await mustRun('sh', ['-c', `printf '\\n' | tor-gencert --create-identity-key -m 12 -a 127.0.0.1:${dirPort} -i '${keys}/authority_identity_key' -s '${keys}/authority_signing_key' -c '${keys}/authority_certificate' --passphrase-fd 0`], 60_000)
      const certificate = await readFile(join(keys, 'authority_certificate'), 'utf8')
      authorities.push({ nickname: `auth${i}`, orPort: AUTHORITY_OR_PORT + i, dirPort, v3Ident: parseCertificateFingerprint(certificate), fingerprint: fingerprints.get(`auth${i}`) as string })
    }
    const exitFingerprint = fingerprints.get('exit0') as string
    const settings = (nickname: string, dataDirectory: string): TorNodeSettings => ({ nickname, dataDirectory, authorities, ownerPid })

    // Relays (authorities first), then the onion service and the client.
    const torrcs: Array<{ name: string, text: string }> = []
    for (const r of relayDirs) {
      const s = settings(r.nickname, r.dir)
      const authority = authorities.find((a) => a.nickname === r.nickname)
      const text = authority !== undefined
        ? authorityTorrc(s, authority, exitFingerprint)
        : r.nickname === 'exit0' ? exitTorrc(s, r.orPort, exitFingerprint, SERVER) : relayTorrc(s, r.orPort, exitFingerprint)
      torrcs.push({ name: r.nickname, text })
    }
    const onionDir = join(directory, 'onion')
    const clientDir = join(directory, 'client')
    for (const dir of [onionDir, clientDir]) await mkdir(dir, { recursive: true, mode: 0o700 })
    torrcs.push({ name: 'onion', text: onionServiceTorrc(settings('onion', onionDir), join(onionDir, 'hs'), ONION_PORT, SERVER) })
    torrcs.push({ name: 'client', text: clientTorrc(settings('client', clientDir), SOCKS_PORT) })
    for (const { name, text } of torrcs) {
      const file = join(directory, `${name}.torrc`)
      await writeFile(file, text, { mode: 0o600 })
      this.tors.push(this.resources.spawn(`tor-${name}`, this.namespace, 'tor', ['--defaults-torrc', '/dev/null', '-f', file]))
    }
    this.server = await startBenchServer(this.resources, this.namespace, SERVER.host, SERVER.port)

    const client = this.tors.find((t) => t.name === 'tor-client') as NamespacedProcess
    await waitUntil(() => /Bootstrapped 100%/.test(client.text) ? true : undefined, 'the tor client to bootstrap (Bootstrapped 100%)', BOOTSTRAP_TIMEOUT_MS, ...this.tors)
    this.facts['client bootstrapped after'] = `${((performance.now() - t0) / 1000).toFixed(1)} s`
    this.onionAddress = await waitUntil(async () => {
      try { return (await readFile(join(onionDir, 'hs', 'hostname'), 'utf8')).trim() || undefined } catch { return undefined }
    }, 'the onion service hostname', 60_000, ...this.tors)
    for (const path of this.paths()) {
      await waitForPath(path, PATH_TIMEOUT_MS, 30_000)
      this.facts[`${path.label} first connection after`] = `${((performance.now() - t0) / 1000).toFixed(1)} s`
    }
    this.facts['processes'] = `${TOR_AUTHORITIES} authorities (also relays), ${TOR_RELAYS} relays (1 exit), 1 onion service, 1 client: ${this.tors.length} tor processes`
  }

  async stop (): Promise<void> {
    await this.resources.close()
  }

  paths (): BenchPath[] {
    const socks = { kind: 'socks5' as const, proxyHost: '127.0.0.1', proxyPort: SOCKS_PORT, isolate: true }
    return [
      {
        label: 'tor-onion',
        clientNamespace: this.namespace,
        target: { ...socks, host: this.onionAddress, port: ONION_PORT },
        description: 'private Tor network, v3 onion service (3 client hops + 3 service hops; a fresh connection = new rendezvous, descriptor cached)'
      },
      {
        label: 'tor-exit',
        clientNamespace: this.namespace,
        target: { ...socks, host: SERVER.host, port: SERVER.port },
        description: 'private Tor network, 3-hop exit circuit to 127.0.0.1 (a fresh connection = fresh SOCKS credentials = its own circuit)'
      }
    ]
  }

  nodes (): NodeProcess[] {
    return this.tors.filter((t) => t.child.pid !== undefined).map((t) => ({ name: t.name, pid: t.pid }))
  }

  serverPid (): number | undefined { return this.server?.child.pid }

  notes (): Record<string, string> { return { ...this.facts } }

  logs (): Array<{ name: string, text: string }> {
    return this.tors.map((t) => ({ name: t.name, text: t.text }))
  }
}
