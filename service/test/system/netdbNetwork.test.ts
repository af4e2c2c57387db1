import assert from 'node:assert/strict'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { peerIdFromString } from '@libp2p/peer-id'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { multiaddr } from '@multiformats/multiaddr'
import { ProcessNetwork } from '../harness/processNetwork.js'
import { TestApIdentity } from '../harness/recordFactory.js'
import { waitFor } from '../harness/waitFor.js'
import { formatApAddress } from '../../src/netdb/apAddress.js'
import { apRecordKey } from '../../src/netdb/recordKeys.js'
import { PHANTOM_KAD_PROTOCOL } from '../../src/link/phantomProtocols.js'

const NODES = 20

interface GetResult { key: string, validCopies: number, record: Record<string, unknown> }

describe(`network database: ${NODES} daemons as separate processes on loopback`, function () {
  this.timeout(600_000)
  let net: ProcessNetwork | undefined

  before(async function () {
    net = await ProcessNetwork.start(NODES, { readyTimeoutMs: 120_000 })
  })

  after(async function () {
    await net?.destroy()
  })

  it('forms one DHT: every node\'s record can be fetched from every other node', async function () {
    const nodes = net!.nodes
    const failures: string[] = []
    const pairs = nodes.flatMap(reader => nodes.filter(n => n !== reader).map(target => ({ reader, target })))
    let next = 0
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < pairs.length) {
        const { reader, target } = pairs[next++]!
        try {
          const got = await reader.call<GetResult>('netdb.get', { key: target.peerId })
          assert.equal(got.record.peerId, target.peerId)
          assert.equal(got.record.type, 'node')
          assert.ok(Array.isArray(got.record.multiaddrs) && (got.record.multiaddrs as string[]).length > 0, 'record lists a dialable address')
        } catch (err) {
          failures.push(`${reader.name} -> ${target.name}: ${(err as Error).message}`)
        }
      }
    }))
    assert.deepEqual(failures, [], `${failures.length} of ${NODES * (NODES - 1)} fetches failed`)
  })

  it('an AP record put by one node is found by all; an older sequence number is never returned', async function () {
    const nodes = net!.nodes
    const owner = new TestApIdentity()
    const apText = formatApAddress(owner.ap)
    const entry = nodes[5]!
    const entryNodes = [{ peerId: peerIdFromString(entry.peerId).toMultihash().bytes, multiaddrs: [multiaddr(entry.address).decapsulateCode(421).bytes] }]

    const v2 = owner.record(2n, entryNodes)
    const put = await nodes[3]!.call<{ storedAt: number }>('netdb.put', { key: apText, bytes: v2.toString('base64') })
    assert.ok(put.storedAt > 0, 'stored at other nodes')
    for (const n of nodes) {
      const got = await n.call<GetResult>('netdb.get', { key: apText })
      assert.equal(got.record.sequence, '2', `${n.name} sees sequence 2`)
      assert.equal(got.record.ap, apText)
      assert.deepEqual((got.record.entryNodes as Array<{ peerId: string }>).map(e => e.peerId), [entry.peerId])
    }

    // a stale copy (sequence 1, validly signed) pushed from another node never wins
    const v1 = owner.record(1n, entryNodes)
    await nodes[11]!.call('netdb.put', { key: apText, bytes: v1.toString('base64') })
    for (const n of nodes) {
      const got = await n.call<GetResult>('netdb.get', { key: apText })
      assert.equal(got.record.sequence, '2', `${n.name} still sees sequence 2 after a stale put`)
    }
  })

  it('a forged record injected by a hostile DHT node is never returned', async function () {
    const nodes = net!.nodes
    const owner = new TestApIdentity()
    const apText = formatApAddress(owner.ap)
    await nodes[7]!.call('netdb.put', { key: apText, bytes: owner.record(5n).toString('base64') })

    // a hostile peer that accepts and serves anything, and pushes a forgery with a higher sequence number
    const hostile = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        ping: ping(),
        dht: kadDHT({
          protocol: PHANTOM_KAD_PROTOCOL,
          clientMode: false,
          peerInfoMapper: passthroughMapper,
          allowQueryWithZeroPeers: true,
          validators: { 'phantom-ap': () => {}, 'phantom-node': () => {} },
          selectors: { 'phantom-ap': (_k: Uint8Array, records: Uint8Array[]) => records.length - 1, 'phantom-node': () => 0 }
        })
      }
    })
    try {
      await hostile.dial(multiaddr(nodes[0]!.address))
      await waitFor('hostile peer in a routing table', async () => {
        for await (const _ of hostile.services.dht.getClosestPeers(new Uint8Array(32), { signal: AbortSignal.timeout(5000) })) { return true }
        return false
      }, 30_000)
      const forged = owner.forged(99n)
      const key = apRecordKey(owner.ap)
      for await (const _ of hostile.services.dht.put(key, forged, { signal: AbortSignal.timeout(20_000) })) { /* drain */ }
      for (const n of nodes) {
        const got = await n.call<GetResult>('netdb.get', { key: apText })
        assert.equal(got.record.sequence, '5', `${n.name} returns the genuine record`)
      }
      // the forgery was dropped and counted by the nodes it reached
      const rejected = await Promise.all(nodes.map(async n => (await n.status()).netdb.rejected['bad-signature'] ?? 0))
      assert.ok(rejected.reduce((a, b) => a + b, 0) > 0, 'some node counted the forged record as bad-signature')
    } finally {
      await hostile.stop()
    }
  })

  it('random node sampling takes at most one candidate per responder, each with a valid record', async function () {
    const sampler = net!.nodes[2]!
    const known = new Set(net!.nodes.map(n => n.peerId))
    const picked = await sampler.call<Array<{ peerId: string, addresses: string[], proposedBy: string }>>('netdb.sample', { count: 8, diversity: false })
    assert.ok(picked.length >= 4, `expected several nodes, got ${picked.length}`)
    assert.equal(new Set(picked.map(p => p.peerId)).size, picked.length, 'distinct nodes')
    assert.equal(new Set(picked.map(p => p.proposedBy)).size, picked.length, 'one candidate per responder')
    for (const p of picked) {
      assert.ok(known.has(p.peerId) && p.peerId !== sampler.peerId)
      assert.ok(p.addresses.length > 0)
    }
    // on one machine every node shares 127.0/16: the diversity filter keeps one
    const diverse = await sampler.call<unknown[]>('netdb.sample', { count: 8, diversity: true })
    assert.equal(diverse.length, 1)
  })
})
