import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProcessNode } from '../harness/processNode.js'
import { LAN_PREFIX, NamespaceLan } from '../harness/namespaceLan.js'
import { NatHome } from '../harness/natHome.js'
import { waitFor } from '../harness/waitFor.js'
import { sha256OfFile, writeRandomFile } from '../harness/randomFile.js'
import { requireRoot } from '../tun/helpers/testNamespace.js'

const RELAYS = 10
const FILE_BYTES = 10 * 1024 * 1024
const HTTP_PORT = 8080
const PROBE_PORT = 9999

/**
 * Two users at home, each behind its own NAT router that masquerades and drops
 * every connection from outside (test/harness/natHome.ts), ten relays on the
 * LAN between them. Neither home node can be dialled, so each builds its paths
 * by connecting first to the members that must reach it (PROTOCOL.md §6,
 * round 1); then unmodified programs reach one home from the other over TUN.
 */
describe(`two nodes behind NAT reach each other over TUN: ${RELAYS} relays on a LAN, each home behind its own router`, function () {
  this.timeout(900_000)
  let lan: NamespaceLan | undefined
  const homes: NatHome[] = []
  const nodes: ProcessNode[] = []
  let a: ProcessNode
  let b: ProcessNode
  let server: ChildProcess | undefined
  let dir = ''
  let bAp = ''
  let sha256 = ''

  before(async function () {
    requireRoot()
    dir = await mkdtemp(join(tmpdir(), 'phantom-nat-'))
    sha256 = await writeRandomFile(join(dir, 'file'), FILE_BYTES)
    lan = await NamespaceLan.create(RELAYS)
    homes.push(await NatHome.create(lan, 1), await NatHome.create(lan, 2))
    for (let i = 0; i < RELAYS; i++) {
      const node = await ProcessNode.create({
        name: `relay${i}`,
        netns: lan.nodes[i]!.name,
        bootstrap: i === 0 ? [] : [`/ip4/${lan.addressOf(0)}/tcp/4821/p2p/${nodes[0]!.peerId}`],
        config: { listen: [`/ip4/${lan.addressOf(i)}/tcp/4821`], path: { count: { exit: 0, entry: 0 }, diversity: false } }
      })
      nodes.push(node)
      await node.start()
    }
    const seed = `/ip4/${lan.addressOf(0)}/tcp/4821/p2p/${nodes[0]!.peerId}`
    // at home: each listens on its private address, which (private addresses being allowed on this LAN) it would
    // announce and believe dialable; network.reachable: false says nobody can reach it
    const atHome = (h: NatHome): Record<string, unknown> => ({ listen: [`/ip4/${h.homeAddress}/tcp/4821`], network: { allowPrivateAddresses: true, reachable: false }, tun: { enabled: true } })
    a = await ProcessNode.create({
      name: 'home-a',
      netns: homes[0]!.home.name,
      bootstrap: [seed],
      config: { ...atHome(homes[0]!), path: { count: { exit: 1, entry: 0 }, diversity: false } }
    })
    b = await ProcessNode.create({
      name: 'home-b',
      netns: homes[1]!.home.name,
      bootstrap: [seed],
      config: { ...atHome(homes[1]!), path: { count: { exit: 0, entry: 1 }, diversity: false }, ap: { expose: [HTTP_PORT] } }
    })
    for (const n of [a, b]) { nodes.push(n); await n.start() }
    bAp = (await b.status()).ap[0]!.address
    await waitFor('A has an exit path', async () => (await a.status()).paths.some((p) => p.kind === 'exit' && p.state === 'ready'), 300_000, 1000)
    await waitFor('B has an entry path', async () => (await b.status()).paths.some((p) => p.kind === 'entry' && p.state === 'ready'), 300_000, 1000)
    await waitFor('A reaches B', async () => await a.call('session.ping', { target: bAp }).then(() => true, () => false), 180_000, 1000)
  })

  after(async function () {
    server?.kill('SIGKILL')
    await Promise.allSettled(nodes.map(async (n) => { await n.destroy() }))
    await Promise.allSettled(homes.map(async (h) => { await h.remove() }))
    await lan?.remove()
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it('the homes are out of the LAN\'s reach: a listener at home answers its router, never a relay', async () => {
    for (const h of homes) {
      const listener = spawn('ip', ['netns', 'exec', h.home.name, 'nc', '-lk', String(PROBE_PORT)], { stdio: 'ignore' })
      try {
        await waitFor('probe listener at home', async () => (await h.home.exec(['ss', '-ltn', `sport = :${PROBE_PORT}`])).stdout.includes(`:${PROBE_PORT}`), 20_000, 200)
        const fromRouter = await h.router.exec(['nc', '-z', '-w', '2', h.homeAddress, String(PROBE_PORT)], 20_000)
        assert.equal(fromRouter.code, 0, `the router cannot reach the listener: ${fromRouter.stderr}`)
        for (const relay of [lan!.nodes[0]!, lan!.nodes[5]!]) {
          const fromRelay = await relay.exec(['nc', '-z', '-w', '2', h.homeAddress, String(PROBE_PORT)], 20_000)
          assert.notEqual(fromRelay.code, 0, 'a relay reached a listener at home')
        }
      } finally {
        listener.kill('SIGKILL')
      }
    }
  })

  it('the home nodes listen but announce no address (network.reachable: false)', async () => {
    for (const [n, h] of [[a, homes[0]!], [b, homes[1]!]] as const) {
      assert.deepEqual((await n.status()).listen, [])
      assert.match((await h.home.exec(['ss', '-ltn', 'sport = :4821'])).stdout, /:4821/)
    }
  })

  it('ping -6 from A reaches B\'s AP address', async () => {
    const r = await homes[0]!.home.exec(['ping', '-6', '-c', '3', '-W', '10', bAp], 60_000)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /3 received/)
  })

  it('curl in A fetches 10 MB from an HTTP server in B on its AP address; sha256 matches', async () => {
    server = spawn('ip', ['netns', 'exec', homes[1]!.home.name, 'python3', '-m', 'http.server', String(HTTP_PORT), '--bind', '::', '--directory', dir], { stdio: 'ignore' })
    await waitFor('HTTP server in B', async () => (await homes[1]!.home.exec(['ss', '-ltn', `sport = :${HTTP_PORT}`])).stdout.includes(`:${HTTP_PORT}`), 20_000, 200)
    const out = join(dir, 'fetched')
    const r = await homes[0]!.home.exec(['curl', '--silent', '--show-error', '--fail', '--max-time', '300', '-g', '--output', out, `http://[${bAp}]:${HTTP_PORT}/file`], 320_000)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await sha256OfFile(out), sha256)
  })

  it('the relays talk to the homes only over connections the homes opened, which reach them from the routers\' addresses', async () => {
    for (const h of homes) {
      // in the home: every established TCP connection goes out from the home's own address to the LAN
      const inHome = await h.home.exec(['ss', '-Htn4', 'state', 'established'])
      const lines = inHome.stdout.trim().split('\n').filter((l) => l.length > 0)
      assert.ok(lines.length > 0, 'the home node has no connection')
      for (const line of lines) {
        const [local, peer] = line.trim().split(/\s+/).slice(-2)
        assert.ok(local!.startsWith(`${h.homeAddress}:`) && !local!.endsWith(':4821'), `not an outbound connection: ${line}`)
        assert.ok(peer!.startsWith(`${LAN_PREFIX}.`), `a connection to something other than the LAN: ${line}`)
      }
    }
    // on the LAN those connections arrive from the routers (masqueraded): the NAT is really in the way
    let fromRouters = 0
    for (const ns of lan!.nodes) {
      const r = await ns.exec(['ss', '-Htn4', 'state', 'established'])
      fromRouters += r.stdout.split('\n').filter((l) => homes.some((h) => l.includes(` ${h.wanAddress}:`))).length
    }
    assert.ok(fromRouters >= 2, `only ${fromRouters} connections from the routers seen on the LAN`)
  })
})
