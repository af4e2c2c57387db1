import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeerCache, PEER_CACHE_FILE } from '../../src/state/peerCache.js'

async function somePeerIds (n: number): Promise<string[]> {
  return await Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
}

describe('peer cache', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'phantom-cache-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('keeps the most recently seen peers up to its size and survives a restart', async () => {
    const ids = await somePeerIds(5)
    const cache = new PeerCache(dir, 3)
    ids.forEach((id, i) => { cache.remember(id, [multiaddr(`/ip4/10.0.0.${i + 1}/tcp/4821`)], 1000 + i) })
    assert.equal(cache.count, 3)
    await cache.save()
    assert.equal((await stat(join(dir, PEER_CACHE_FILE))).mode & 0o777, 0o600)
    const again = new PeerCache(dir, 3)
    const loaded = await again.load()
    assert.equal(loaded.problem, undefined)
    assert.deepEqual(loaded.peers.map(p => p.peerId), [ids[4], ids[3], ids[2]])
    assert.equal(again.dialAddresses()[0]?.toString(), `/ip4/10.0.0.5/tcp/4821/p2p/${ids[4] as string}`)
  })

  it('a corrupt cache is reported and ignored (it is only a cache)', async () => {
    await writeFile(join(dir, PEER_CACHE_FILE), '{not json')
    const cache = new PeerCache(dir, 10)
    const loaded = await cache.load()
    assert.equal(loaded.peers.length, 0)
    assert.match(loaded.problem ?? '', /not valid JSON/)
  })

  it('malformed entries are skipped, never trusted', async () => {
    const [good] = await somePeerIds(1)
    await writeFile(join(dir, PEER_CACHE_FILE), JSON.stringify([
      { peerId: good, addrs: ['/ip4/10.1.1.1/tcp/1'], lastSeen: 5 },
      { peerId: 'nope', addrs: ['/ip4/10.1.1.1/tcp/1'], lastSeen: 5 },
      { peerId: good, addrs: ['garbage'], lastSeen: 5 },
      { peerId: good, addrs: [`/ip4/10.1.1.1/tcp/1/p2p/${good as string}`], lastSeen: 5 },
      42, null, 'x'
    ]))
    const cache = new PeerCache(dir, 10)
    const loaded = await cache.load()
    assert.equal(loaded.peers.length, 1)
    assert.match(loaded.problem ?? '', /skipped 6 malformed/)
  })
})
