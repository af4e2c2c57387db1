import { Command } from 'commander'
import ora from 'ora'
import { ControlClient, ControlClientError } from '../control/controlClient.js'
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from '../config/index.js'
import { formatSeedFile } from '../link/seedFile.js'
import { readSeedFiles } from '../link/seedFileReader.js'
import { writeFileAtomic } from '../state/atomicFile.js'
import type { NodeStatus, PeerSummary } from '../daemon/phantomNode.js'
import type { PathSummary } from '../path/service/index.js'
import { formatBytes, formatUptime, keyValueTable, listTable } from './humanOutput.js'
import type { SessionSummary } from '../session/service/index.js'
import type { TunnelSummary } from '../tunnel/service/index.js'
import { phantomVersion } from '../daemon/version.js'

const EXIT_FAILURE = 1
const EXIT_UNREACHABLE = 69
const EXIT_USAGE = 64

interface GlobalOptions { socket?: string, config: string, json?: boolean }

function fail (message: string, code = EXIT_FAILURE): never {
  process.stderr.write(`phantomctl: ${message}\n`)
  process.exit(code)
}

async function socketPath (opts: GlobalOptions): Promise<string> {
  if (opts.socket != null) return opts.socket
  if (process.env.PHANTOM_CONTROL_SOCKET != null && process.env.PHANTOM_CONTROL_SOCKET !== '') return process.env.PHANTOM_CONTROL_SOCKET
  try {
    const config = await loadConfig(opts.config, { mustExist: false })
    return config.controlSocket
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 78)
    throw err
  }
}

async function withClient<T> (opts: GlobalOptions, fn: (client: ControlClient) => Promise<T>): Promise<T> {
  const path = await socketPath(opts)
  let client: ControlClient
  try {
    client = await ControlClient.connect(path)
  } catch (err) {
    fail((err as Error).message, EXIT_UNREACHABLE)
  }
  try {
    return await fn(client)
  } catch (err) {
    if (err instanceof ControlClientError) fail(err.message, err.code === 'unreachable' ? EXIT_UNREACHABLE : EXIT_FAILURE)
    throw err
  } finally {
    client.close()
  }
}

/** Runs `work` with a spinner on stderr when a human is watching. */
async function withSpinner<T> (opts: GlobalOptions, text: string, work: (update: (t: string) => void) => Promise<T>): Promise<T> {
  const spinner = opts.json === true || process.stderr.isTTY !== true ? null : ora({ text, stream: process.stderr }).start()
  try {
    const result = await work((t) => { if (spinner != null) spinner.text = t })
    spinner?.succeed()
    return result
  } catch (err) {
    spinner?.fail()
    throw err
  }
}

function print (opts: GlobalOptions, value: unknown, human: () => string): void {
  process.stdout.write(opts.json === true ? JSON.stringify(value) + '\n' : human() + '\n')
}

function statusText (s: NodeStatus): string {
  return keyValueTable([
    ['Peer ID', s.peerId],
    ['AP address', s.ap.map(a => `${a.address}\n${a.name}`)],
    ['Paths', s.paths.length === 0 ? 'none' : ['exit', 'entry'].map(kind => `${kind}: ${s.paths.filter(p => p.kind === kind && p.state === 'ready').length} ready, ${s.paths.filter(p => p.kind === kind && p.state === 'building').length} building`).join('\n')],
    ['Sessions', `${s.sessions} end-to-end sessions, ${s.tunnels} tunnels through this node`],
    ['TUN interface', s.tun == null ? `none (${s.tunProblem ?? 'off'})` : `${s.tun.name}, MTU ${s.tun.mtu}`],
    ...(s.tun == null
      ? []
      : [['IPv4 mapping', s.tun.ipv4 == null ? `none (${s.tun.ipv4Problem ?? 'off'})` : `${s.tun.ipv4.address} in ${s.tun.ipv4.prefix}, ${s.tun.ipv4.mappings} AP addresses mapped`] as [string, string]]),
    ['.phantom resolver', s.dns ?? `none (${s.dnsProblem ?? 'off'})`],
    ['SOCKS5 proxy', s.socks ?? 'off'],
    ['Version', s.version],
    ['Uptime', formatUptime(s.uptimeSeconds)],
    ['Listening on', s.listen],
    ['Connected peers', s.peers],
    ['Network database', `${s.netdb.ready ? 'ready' : 'joining'}; ${s.netdb.records} records stored here; ${s.netdb.routingTable} peers in routing table`],
    ['Node record', s.netdb.nodeRecord == null ? 'not published yet' : `published ${s.netdb.nodeRecord.publishedAt}, stored at ${s.netdb.nodeRecord.storedAt} peers, expires ${s.netdb.nodeRecord.expiresAt}`],
    ['Rejected records', Object.keys(s.netdb.rejected).length === 0 ? 'none' : Object.entries(s.netdb.rejected).map(([r, n]) => `${r}: ${n}`).join(', ')],
    ['Path-building key', `${s.pathBuildingKey.publicKey.slice(0, 16)}…, rotates ${s.pathBuildingKey.notAfter}`],
    ['Peer cache', `${s.peerCache} peers`],
    ['Memory', `${s.memory.rssMiB} MiB resident, ${s.memory.heapUsedMiB} MiB heap, ${s.memory.buffersMiB} MiB buffers`]
  ])
}

async function main (): Promise<void> {
  const program = new Command()
    .name('phantomctl')
    .description('Control and inspect a running phantom-node')
    .version(phantomVersion())
    .option('-s, --socket <path>', 'control socket (default: controlSocket from the config file)')
    .option('-c, --config <file>', 'configuration file to read the socket path from', DEFAULT_CONFIG_PATH)
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError()

  program.command('status')
    .description('show the node\'s identity, addresses, peers and network database state')
    .option('--json', 'print JSON')
    .option('--watch [seconds]', 'redraw every few seconds until interrupted')
    .option('--wait-ready [seconds]', 'wait until the network database is ready (exit 1 on timeout)')
    .action(async (cmdOpts: { watch?: string | boolean, waitReady?: string | boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withClient(opts, async (client) => {
        if (cmdOpts.waitReady != null) {
          const limit = cmdOpts.waitReady === true ? 60 : Number(cmdOpts.waitReady)
          if (!Number.isFinite(limit) || limit <= 0) fail('--wait-ready takes a number of seconds', EXIT_USAGE)
          const deadline = Date.now() + limit * 1000
          await withSpinner(opts, 'joining the network…', async (update) => {
            for (;;) {
              const s = await client.call<NodeStatus>('status')
              update(`joining the network… ${s.peers} peers, ${s.netdb.routingTable} in routing table`)
              if (s.netdb.ready) return
              if (Date.now() > deadline) throw new ControlClientError(`network database not ready after ${limit} s (${s.peers} peers)`, 'failed')
              await new Promise(resolve => setTimeout(resolve, 250))
            }
          })
        }
        if (cmdOpts.watch != null) {
          const every = cmdOpts.watch === true ? 2 : Number(cmdOpts.watch)
          if (!Number.isFinite(every) || every <= 0) fail('--watch takes a number of seconds', EXIT_USAGE)
          for (;;) {
            const s = await client.call<NodeStatus>('status')
            if (opts.json === true) process.stdout.write(JSON.stringify(s) + '\n')
            else process.stdout.write('\x1b[2J\x1b[H' + `Phantom node — ${new Date().toISOString()}\n` + statusText(s) + '\n')
            await new Promise(resolve => setTimeout(resolve, every * 1000))
          }
        }
        const s = await client.call<NodeStatus>('status')
        print(opts, s, () => statusText(s))
      })
    })

  const peers = program.command('peers')
    .description('list connected peers; export or import a peer list file')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withClient(opts, async (client) => {
        const list = await client.call<PeerSummary[]>('peers')
        print(opts, list, () => list.length === 0
          ? 'no connected peers'
          : listTable(['Peer ID', 'Address', 'Direction', 'Connected for'], list.map(p => [p.peerId, p.addresses, p.direction, formatUptime(Math.floor((Date.now() - p.openedAt) / 1000))])))
      })
    })
  peers.command('export [file]')
    .description('write a seed file: this node\'s own addresses and the peers it knows, one multiaddr with /p2p/ per line (no file or "-": stdout)')
    .option('--json', 'print the list as JSON instead of (or, with a file, besides) the seed file text')
    .action(async (file: string | undefined, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withClient(opts, async (client) => {
        const { addrs } = await client.call<{ addrs: string[] }>('peers.export')
        const { peerId } = await client.call<NodeStatus>('status')
        const toStdout = file === undefined || file === '-'
        if (toStdout && opts.json === true) {
          process.stdout.write(JSON.stringify({ peerId, addrs }) + '\n')
          return
        }
        const text = formatSeedFile(addrs, { writtenBy: `phantomctl peers export on node ${peerId}`, writtenAt: new Date() })
        if (toStdout) {
          process.stdout.write(text)
          return
        }
        try {
          await writeFileAtomic(file, text, 0o644)
        } catch (err) {
          fail(`cannot write ${file}: ${(err as Error).message}`)
        }
        print(opts, { file, peerId, addrs }, () => `wrote ${addrs.length} peer addresses to ${file}`)
      })
    })
  peers.command('import <file>')
    .description('connect to the peers of a seed file and remember them (bad lines are skipped with a warning)')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      const found = await readSeedFiles([file])
      for (const warning of found.warnings) process.stderr.write(`phantomctl: ${warning}\n`)
      if (found.missing.length > 0) fail(`cannot read ${file}: no such file`, EXIT_USAGE)
      const addrs = found.entries
      if (addrs.length === 0) fail(`${file}: no usable peer address`, EXIT_USAGE)
      await withClient(opts, async (client) => {
        const result = await withSpinner(opts, `connecting to ${addrs.length} peers…`, async () =>
          await client.call<{ given: number, connected: number }>('peers.import', { addrs }, 60_000))
        print(opts, result, () => `connected to ${result.connected} of ${result.given} peers`)
      })
    })

  program.command('paths')
    .description('list the routing paths this node owns (kind, hops, state, age, build time)')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withClient(opts, async (client) => {
        const list = await client.call<PathSummary[]>('paths')
        print(opts, list, () => list.length === 0
          ? 'no paths (path.count.exit and path.count.entry are 0, or the network is too small yet)'
          : listTable(['Kind', 'Hops', 'State', 'Age', 'Build time'], list.map(p => [p.kind, p.hops, p.state, formatUptime(Math.floor(p.ageMs / 1000)), p.builtMs > 0 ? `${p.builtMs} ms` : '-'])))
      })
    })

  program.command('sessions')
    .description('list the end-to-end sessions with other AP addresses (peer, direction, streams, bytes, age)')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withClient(opts, async (client) => {
        const list = await client.call<SessionSummary[]>('sessions')
        print(opts, list, () => list.length === 0
          ? 'no sessions'
          : listTable(['Peer AP address', 'Direction', 'Streams', 'Sent', 'Received', 'Packets dropped', 'Age'], list.map(x => [x.peer, x.direction, x.streams, formatBytes(x.bytesSent), formatBytes(x.bytesReceived), x.datagramsDropped, formatUptime(Math.floor(x.ageMs / 1000))])))
      })
    })

  program.command('tunnels')
    .description('show the routing tunnels at this node: live count, how they ended or failed, paths they run over')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withClient(opts, async (client) => {
        const t = await client.call<TunnelSummary>('tunnels')
        print(opts, t, () => keyValueTable([
          ['Live tunnels', t.live],
          ['Own paths carrying tunnels', `exit: ${t.ownedPaths.exit}, entry: ${t.ownedPaths.entry}`],
          ['Relayed paths', t.relayedPaths],
          ['Since start', `${t.counters.ownedOutbound} opened by this node, ${t.counters.ownedInbound} received, ${t.counters.relayed} relayed, ${t.counters.ended} ended here (exit/entry node)`],
          ['Failures', `${t.counters.setupFailures} setups failed, ${t.counters.droppedBlocks} blocks dropped`]
        ]))
      })
    })

  program.command('resolve <name>')
    .description('the AP address of a .phantom name or petname, and the IPv4 address IPv4-only programs use for it, as the node\'s resolver answers them (local, no network lookup)')
    .option('--json', 'print JSON')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withClient(opts, async (client) => {
        const r = await client.call<{ name: string, address: string, via: string, ipv4: string | null }>('resolve', { name })
        print(opts, r, () => `${r.name}\t${r.address}\t${r.ipv4 ?? '-'}\t(${r.via})`)
      })
    })

  program.command('ping <target>')
    .description('measure the way to an AP address or .phantom name: one PING over the session (with --fresh: a new tunnel and session, timed)')
    .option('--fresh', 'set up a new tunnel and session just for this measurement')
    .option('--json', 'print JSON')
    .action(async (target: string, cmdOpts: { fresh?: boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withClient(opts, async (client) => {
        const r = await withSpinner(opts, `reaching ${target}…`, async () =>
          await client.call<{ target: string, tunnelMs: number | null, handshakeMs: number | null, rttMs: number }>('session.ping', { target, fresh: cmdOpts.fresh === true }, 120_000))
        const ms = (v: number | null): string => v == null ? '-' : `${v.toFixed(1)} ms`
        print(opts, r, () => keyValueTable([['Target', r.target], ['Tunnel setup', ms(r.tunnelMs)], ['Session handshake', ms(r.handshakeMs)], ['Round trip', ms(r.rttMs)]]))
      })
    })

  const netdb = program.command('netdb').description('query the network database')
  netdb.command('get <key>')
    .description('fetch a record: a peer ID (node record), an AP address or .phantom name (AP record), or a full key')
    .option('--json', 'print JSON')
    .action(async (key: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      await withClient(opts, async (client) => {
        const result = await withSpinner(opts, `looking up ${key}…`, async () =>
          await client.call<{ key: string, validCopies: number, record: Record<string, unknown> }>('netdb.get', { key }, 60_000))
        print(opts, result, () => keyValueTable([['Key', result.key], ['Valid copies', result.validCopies], ...Object.entries(result.record)]))
      })
    })
  netdb.command('sample [count]')
    .description('draw random nodes the way path building does (one per responder, valid record, diversity filter)')
    .option('--no-diversity', 'do not apply the diversity filter')
    .option('--json', 'print JSON')
    .action(async (count: string | undefined, cmdOpts: { diversity: boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>()
      const n = count == null ? 5 : Number(count)
      if (!Number.isInteger(n) || n < 1 || n > 100) fail('count must be an integer 1..100', EXIT_USAGE)
      await withClient(opts, async (client) => {
        const nodes = await withSpinner(opts, 'walking the DHT…', async () =>
          await client.call<Array<{ peerId: string, addresses: string[], proposedBy: string }>>('netdb.sample', { count: n, diversity: cmdOpts.diversity }, 60_000))
        print(opts, nodes, () => listTable(['Peer ID', 'Addresses', 'Proposed by'], nodes.map(x => [x.peerId, x.addresses, x.proposedBy])))
      })
    })

  await program.parseAsync()
}

main().catch((err: unknown) => {
  fail((err as Error)?.message ?? String(err))
})
