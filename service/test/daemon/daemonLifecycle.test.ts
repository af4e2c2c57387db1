import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProcessNode } from '../harness/processNode.js'
import { ProcessNetwork } from '../harness/processNetwork.js'
import { runCommand } from '../harness/runCommand.js'
import { daemonEntry, phantomctlEntry } from '../harness/repoPaths.js'
import { waitFor } from '../harness/waitFor.js'

describe('phantom-node daemon lifecycle', function () {
  this.timeout(180_000)

  describe('bad configuration', () => {
    let dir: string
    before(async () => { dir = await mkdtemp(join(tmpdir(), 'phantom-badcfg-')) })
    after(async () => { await rm(dir, { recursive: true, force: true }) })

    const cases: Array<[string, string, RegExp]> = [
      ['syntax error', 'listen: [unclosed\n', /bad\.yaml:\d+/],
      ['unknown key', 'mdns: true\nnetwork:\n  allowPrivateAdresses: true\n', /bad\.yaml:3: network\.allowPrivateAdresses: unknown option/],
      ['wrong type', 'mdns: "yes"\n', /bad\.yaml:1: mdns: expected/],
      ['out of range', 'peerCache:\n  size: -1\n', /peerCache\.size/],
      ['bad multiaddr', 'listen: ["/ip4/999.1.1.1/tcp/1"]\n', /listen\[0\]/]
    ]
    for (const [what, text, pattern] of cases) {
      it(`${what}: one line naming file and field, exit 78, nothing started`, async () => {
        const file = join(dir, 'bad.yaml')
        await writeFile(file, text + `dataDir: ${join(dir, 'data')}\ncontrolSocket: ${join(dir, 'c.sock')}\n`)
        const result = await runCommand(process.execPath, [daemonEntry(), '--config', file], 30_000)
        assert.equal(result.code, 78, result.stderr)
        const lines = result.stderr.trim().split('\n')
        assert.equal(lines.length, 1, `exactly one line: ${result.stderr}`)
        assert.match(lines[0] as string, pattern)
        assert.ok(!/\n\s+at /.test(result.stderr), 'no stack trace')
        assert.equal(result.stdout, '')
        assert.equal(existsSync(join(dir, 'data')), false, 'never starts half-configured')
        assert.equal(existsSync(join(dir, 'c.sock')), false)
      })
    }

    it('a missing file given with --config is an error; an unreadable one too', async () => {
      const missing = await runCommand(process.execPath, [daemonEntry(), '--config', join(dir, 'nope.yaml')])
      assert.equal(missing.code, 78)
      assert.match(missing.stderr, /nope\.yaml/)
      const directory = await runCommand(process.execPath, [daemonEntry(), '--config', dir])
      assert.equal(directory.code, 78)
    })
  })

  describe('running node', () => {
    let node: ProcessNode
    before(async () => {
      node = await ProcessNode.create({ name: 'solo' })
      await node.start()
    })
    after(async () => { await node.destroy() })

    it('phantomctl status --json prints one JSON object with the documented fields', async () => {
      const r = await runCommand(process.execPath, [phantomctlEntry(), '--socket', node.socket, 'status', '--json'])
      assert.equal(r.code, 0, r.stderr)
      const lines = r.stdout.trim().split('\n')
      assert.equal(lines.length, 1)
      const s = JSON.parse(lines[0] as string)
      assert.equal(s.peerId, node.peerId)
      assert.match(s.version, /^\d+\.\d+\.\d+/)
      assert.ok(Array.isArray(s.listen) && s.listen.length > 0)
      assert.equal(typeof s.peers, 'number')
      assert.equal(typeof s.netdb.records, 'number')
      assert.equal(typeof s.uptimeSeconds, 'number')
      for (const field of ['rssMiB', 'heapUsedMiB', 'buffersMiB']) assert.ok(typeof s.memory[field] === 'number' && s.memory[field] >= 0, field)
      assert.ok(s.memory.rssMiB > s.memory.heapUsedMiB)
    })

    it('phantomctl shows humans a table and reports an unreachable daemon plainly', async () => {
      const r = await runCommand(process.execPath, [phantomctlEntry(), '--socket', node.socket, 'status'])
      assert.equal(r.code, 0)
      assert.match(r.stdout, /Peer ID.*12D3KooW/)
      assert.match(r.stdout, /Memory.*MiB resident, [\d.]+ MiB heap, [\d.]+ MiB buffers/)
      const gone = await runCommand(process.execPath, [phantomctlEntry(), '--socket', join(node.dir, 'absent.sock'), 'status'])
      assert.equal(gone.code, 69)
      assert.match(gone.stderr, /cannot reach the daemon.*no such socket/)
    })

    it('netdb get rejects input that names no record, with a clear message', async () => {
      const r = await runCommand(process.execPath, [phantomctlEntry(), '--socket', node.socket, 'netdb', 'get', 'example.com'])
      assert.equal(r.code, 1)
      assert.match(r.stderr, /not a record key, peer ID, AP address or \.phantom name/)
    })

    it('SIGTERM stops it cleanly: exit 0, socket removed, peer cache written', async () => {
      const code = await node.stop()
      assert.equal(code, 0)
      assert.equal(existsSync(node.socket), false)
      assert.ok(existsSync(join(node.dataDir, 'peers.json')))
    })
  })

  describe('restart', () => {
    let net: ProcessNetwork | undefined
    let restarted: ProcessNode | undefined
    after(async () => {
      await restarted?.destroy()
      await net?.destroy()
    })

    it('keeps its PeerId and rejoins from its peer cache with an empty bootstrap list', async () => {
      net = await ProcessNetwork.start(4)
      const leaver = net.nodes[3]!
      await waitFor('leaver knows several peers', async () => (await leaver.status()).peers >= 2, 30_000)
      const before = await leaver.status()
      assert.equal(await leaver.stop(), 0)
      const cache = JSON.parse(await readFile(join(leaver.dataDir, 'peers.json'), 'utf8')) as unknown[]
      assert.ok(cache.length >= 2, 'peer cache persisted')

      restarted = await ProcessNode.create({ name: 'restarted', dataDir: leaver.dataDir, bootstrap: [] })
      await restarted.start()
      const after = await restarted.status()
      assert.equal(after.peerId, before.peerId, 'same PeerId')
      await waitFor('rejoined from the cache', async () => {
        const s = await restarted!.status()
        return s.peers >= 2 && s.netdb.ready
      }, 60_000)
      // and it is reachable in the DHT again
      const reader = net.nodes[0]!
      const got = await reader.call<{ record: { peerId: string } }>('netdb.get', { key: before.peerId })
      assert.equal(got.record.peerId, before.peerId)
    })
  })

  describe('bootstrap by DNS name', () => {
    const nodes: ProcessNode[] = []
    after(async () => { await Promise.all(nodes.map(async (n) => { await n.destroy() })) })

    it('a bootstrap entry naming its peer (/dns4/localhost/…) is looked up and joined; with private addresses refused it is not dialled', async () => {
      const first = await ProcessNode.create({ name: 'named-seed' })
      nodes.push(first)
      await first.start()
      const byName = first.address.replace('/ip4/127.0.0.1/', '/dns4/localhost/')
      const joiner = await ProcessNode.create({ name: 'joiner', bootstrap: [byName] })
      nodes.push(joiner)
      await joiner.start()
      await waitFor('the joiner connected through the name', async () => (await joiner.status()).peers >= 1, 30_000)
      // the same entry on a node that refuses private addresses: localhost resolves to 127.0.0.1, which the policy refuses
      const guarded = await ProcessNode.create({ name: 'guarded', bootstrap: [byName], config: { network: { allowPrivateAddresses: false } } })
      nodes.push(guarded)
      await guarded.start()
      await waitFor('the guarded node logged the refused resolution', async () => /policy refuses/.test(await readFile(guarded.logFile, 'utf8')), 30_000)
      assert.equal((await guarded.status()).peers, 0)
      assert.equal((await first.status()).peers, 1, 'the seed saw only the joiner')
    })
  })

  describe('peer list export and import', () => {
    let net: ProcessNetwork | undefined
    let loner: ProcessNode | undefined
    after(async () => {
      await loner?.destroy()
      await net?.destroy()
    })

    it('a node with no bootstrap joins from a file that phantomctl peers export wrote', async () => {
      net = await ProcessNetwork.start(3)
      const exporter = net.nodes[1]!
      // node 1 meets node 2 only through DHT traffic, which a loaded machine slows down
      await waitFor('exporter knows its peers', async () => (await exporter.status()).peerCache >= 2, 90_000)
      const file = join(exporter.dir, 'seed.txt')
      const exp = await runCommand(process.execPath, [phantomctlEntry(), '--socket', exporter.socket, 'peers', 'export', file])
      assert.equal(exp.code, 0, exp.stderr)
      const text = await readFile(file, 'utf8')
      assert.ok(text.split('\n').filter(l => l.includes('/p2p/')).length >= 2)

      loner = await ProcessNode.create({ name: 'loner', bootstrap: [] })
      await loner.start()
      assert.equal((await loner.status()).peers, 0)
      const imp = await runCommand(process.execPath, [phantomctlEntry(), '--socket', loner.socket, '--json', 'peers', 'import', file])
      assert.equal(imp.code, 0, imp.stderr)
      assert.ok(JSON.parse(imp.stdout).connected >= 2)
      await waitFor('loner joined', async () => (await loner!.status()).netdb.ready && (await loner!.status()).peers >= 2, 30_000)
    })
  })
})

describe('daemon runtime flags', () => {
  it('the shebang of bin/phantom-node.js carries exactly DAEMON_NODE_FLAGS', async () => {
    const { readFile } = await import('node:fs/promises')
    const { DAEMON_NODE_FLAGS } = await import('../../src/daemon/nodeRuntimeFlags.js')
    const first = (await readFile(daemonEntry(), 'utf8')).split('\n')[0] as string
    assert.equal(first, `#!/usr/bin/env -S node ${DAEMON_NODE_FLAGS.join(' ')}`)
  })

  it('the ISO tests start their host nodes with exactly DAEMON_NODE_FLAGS', async () => {
    const { readFile } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const { serviceDir } = await import('../harness/repoPaths.js')
    const { DAEMON_NODE_FLAGS } = await import('../../src/daemon/nodeRuntimeFlags.js')
    for (const [script, node] of [['seed.sh', '"$SEED_NODE"'], ['scenario.sh', '"$SCEN_NODE"']] as const) {
      const text = await readFile(join(serviceDir(), '..', 'iso-tests', script), 'utf8')
      const launches = text.split('\n').filter(l => l.includes(`${node} --`))
      assert.equal(launches.length, 1, `${script}: one line starts the node`)
      assert.ok(launches[0]!.includes(`${node} ${DAEMON_NODE_FLAGS.join(' ')} `), `${script} starts its node with ${DAEMON_NODE_FLAGS.join(' ')}`)
    }
  })
})

describe('Debian wrapper', () => {
  it('/usr/bin/phantom-node passes exactly DAEMON_NODE_FLAGS to the bundled node', async () => {
    const { readFile } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const { serviceDir } = await import('../harness/repoPaths.js')
    const { DAEMON_NODE_FLAGS } = await import('../../src/daemon/nodeRuntimeFlags.js')
    const wrapper = await readFile(join(serviceDir(), '..', 'debian', 'bin', 'phantom-node'), 'utf8')
    const exec = wrapper.split('\n').find(l => l.startsWith('exec ')) as string
    assert.equal(exec, `exec /usr/lib/phantom-node/bin/node ${DAEMON_NODE_FLAGS.join(' ')} /usr/lib/phantom-node/service/bin/phantom-node.js "$@"`)
  })
})
