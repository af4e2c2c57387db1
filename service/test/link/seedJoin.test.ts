import assert from 'node:assert/strict'
import { appendFile, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ProcessNode } from '../harness/processNode.js'
import { runCommand } from '../harness/runCommand.js'
import { phantomctlEntry } from '../harness/repoPaths.js'
import { waitFor } from '../harness/waitFor.js'
import { parseSeedFile } from '../../src/link/seedFile.js'
import type { PeerSummary } from '../../src/daemon/phantomNode.js'

/**
 * Seed files end to end, with real daemons on loopback (mDNS off, no
 * bootstrap list): `phantomctl peers export` on a lone node writes a file
 * that bootstraps a fresh node towards it; a file exported by a node that
 * knows a peer brings a third node to both.
 */
describe('seed files: phantomctl peers export, and joining from a seed file', function () {
  this.timeout(180_000)
  const nodes: ProcessNode[] = []
  after(async () => { await Promise.all(nodes.map(async n => { await n.destroy() })) })

  async function startNode (name: string, seedFiles: string[]): Promise<ProcessNode> {
    const node = await ProcessNode.create({ name, bootstrap: [], config: { mdns: false, seedFiles } })
    nodes.push(node)
    await node.start()
    return node
  }

  async function peerIds (node: ProcessNode): Promise<string[]> {
    return (await node.call<PeerSummary[]>('peers')).map(p => p.peerId)
  }

  async function exportTo (node: ProcessNode, file: string): Promise<string[]> {
    const r = await runCommand(process.execPath, [phantomctlEntry(), '--socket', node.socket, 'peers', 'export', file])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^wrote \\d+ peer addresses to ${file}\\n$`))
    assert.equal((await stat(file)).mode & 0o777, 0o644)
    const parsed = parseSeedFile(await readFile(file, 'utf8'), file)
    assert.deepEqual(parsed.warnings, [])
    return parsed.entries
  }

  it('a lone node exports its own addresses; a node with only that seed file (and a bad line in it) joins it', async () => {
    const a = await startNode('a', [])
    const file = join(a.dir, 'seeds.txt')
    const entries = await exportTo(a, file)
    assert.ok(entries.includes(a.address), `${a.address} missing from ${entries.join(', ')}`)
    assert.ok(entries.every(e => e.endsWith(`/p2p/${a.peerId}`)))

    const text = await runCommand(process.execPath, [phantomctlEntry(), '--socket', a.socket, 'peers', 'export'])
    assert.equal(text.code, 0, text.stderr)
    assert.deepEqual(parseSeedFile(text.stdout, 'stdout').entries, entries)
    assert.match(text.stdout, new RegExp(`^# Written by phantomctl peers export on node ${a.peerId} at `, 'm'))
    const json = await runCommand(process.execPath, [phantomctlEntry(), '--socket', a.socket, 'peers', 'export', '-', '--json'])
    assert.equal(json.code, 0, json.stderr)
    assert.deepEqual(JSON.parse(json.stdout), { peerId: a.peerId, addrs: entries })

    await appendFile(file, 'this is not an address\n')
    const b = await startNode('b', [join(a.dir, 'no-such-seeds.txt'), file])
    await waitFor('b connected to a', async () => (await peerIds(b)).includes(a.peerId), 60_000)
    await waitFor('a lists b', async () => (await peerIds(a)).includes(b.peerId), 30_000)
    await waitFor('b network database ready', async () => (await b.status()).netdb.ready, 60_000)
    const log = await readFile(b.logFile, 'utf8')
    const lineNo = entries.length + 4
    assert.match(log, new RegExp(`"problem":"${file.replace(/[.]/g, '\\.')}:${lineNo}: expected a multiaddr ending in /p2p/<peer id>`))
    assert.match(log, /"msg":"seed files read"/)
    assert.doesNotMatch(log, /no-such-seeds\.txt/)
  })

  it('the file a connected node exports brings a fresh node to it and to its peer', async () => {
    const [a, b] = nodes as [ProcessNode, ProcessNode]
    await waitFor('b has a in its peer cache', async () => (await b.status()).peerCache >= 1, 60_000)
    const file = join(b.dir, 'seeds.txt')
    const entries = await exportTo(b, file)
    assert.ok(entries[0]?.endsWith(`/p2p/${b.peerId}`), 'the exporting node comes first')
    assert.ok(entries.some(e => e.endsWith(`/p2p/${a.peerId}`)), 'the peer it knows is in the file')

    const c = await startNode('c', [file])
    await waitFor('c connected to a and b', async () => {
      const ids = await peerIds(c)
      return ids.includes(a.peerId) && ids.includes(b.peerId)
    }, 60_000)
    await waitFor('c network database ready', async () => (await c.status()).netdb.ready, 60_000)
  })
})
