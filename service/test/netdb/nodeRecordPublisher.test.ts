import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { createPhantomHost, type PhantomHost } from '../../src/link/phantomHost.js'
import { PathBuildingKeyStore } from '../../src/state/pathBuildingKeyStore.js'
import { NodeRecordPublisher, dialableAddresses } from '../../src/netdb/nodeRecordPublisher.js'
import { createRecordValidators } from '../../src/netdb/recordValidators.js'
import { recordSelectors } from '../../src/netdb/recordSelectors.js'
import { encodeNodeRecord } from '../../src/netdb/records/nodeRecord.js'
import { nodeRecordKey } from '../../src/netdb/recordKeys.js'
import { silentLogger } from '../../src/logging/logger.js'
import { multiaddr } from '@multiformats/multiaddr'

const HOUR = 3_600_000

describe('node record publisher', function () {
  this.timeout(30_000)
  let dir: string
  let host: PhantomHost
  let identity: Ed25519PrivateKey
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phantom-pub-'))
    identity = await generateKeyPair('Ed25519')
    const v = createRecordValidators()
    host = await createPhantomHost({
      privateKey: identity, listen: ['/ip4/127.0.0.1/tcp/0'], announce: [], bootstrap: [], mdns: false, allowPrivateAddresses: true,
      validators: { 'phantom-node': v['phantom-node'], 'phantom-ap': v['phantom-ap'] },
      selectors: { 'phantom-node': recordSelectors['phantom-node'], 'phantom-ap': recordSelectors['phantom-ap'] }
    })
  })
  after(async () => {
    await host.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('signs a record that validators accept, listing its dialable addresses', async () => {
    const store = await PathBuildingKeyStore.open(dir, { rotateAfterMs: 24 * HOUR, graceMs: HOUR })
    const publisher = new NodeRecordPublisher(host, identity, store, { allowPrivateAddresses: true, lifetimeMs: HOUR, republishIntervalMs: 20 * 60_000, writeTimeoutMs: 5000, relayCapacity: 0 }, silentLogger)
    const record = publisher.buildRecord()
    createRecordValidators()['phantom-node'](nodeRecordKey(host.peerId.toString()), encodeNodeRecord(record))
    assert.equal(record.multiaddrs.length, 1)
    assert.deepEqual(record.pbk, store.current().publicKey)
  })

  it('never issues a record that outlives its path-building key', async () => {
    let now = Date.now()
    const clock = (): number => now
    const store = await PathBuildingKeyStore.open(join(dir, 'late'), { rotateAfterMs: 24 * HOUR, graceMs: HOUR }, clock)
    now = store.current().notAfter - 10 * 60_000 // ten minutes before rotation
    const publisher = new NodeRecordPublisher(host, identity, store, { allowPrivateAddresses: true, lifetimeMs: HOUR, republishIntervalMs: 20 * 60_000, writeTimeoutMs: 5000, relayCapacity: 0 }, silentLogger, clock)
    const record = publisher.buildRecord()
    assert.equal(record.expiresAt, store.current().notAfter)
    const validators = createRecordValidators(() => record.expiresAt - 1)
    validators['phantom-node'](nodeRecordKey(host.peerId.toString()), encodeNodeRecord(record))
    assert.ok(store.msUntilRotation() <= 10 * 60_000)
  })

  it('announces no private addresses unless allowed', () => {
    const addrs = [multiaddr('/ip4/127.0.0.1/tcp/1'), multiaddr('/ip4/10.0.0.1/tcp/1'), multiaddr('/ip4/8.8.8.8/tcp/4821'), multiaddr('/ip4/0.0.0.0/tcp/1')]
    assert.deepEqual(dialableAddresses(addrs, { allowPrivateAddresses: false }).map(String), ['/ip4/8.8.8.8/tcp/4821'])
    assert.deepEqual(dialableAddresses(addrs, { allowPrivateAddresses: true }).map(String), ['/ip4/127.0.0.1/tcp/1', '/ip4/10.0.0.1/tcp/1', '/ip4/8.8.8.8/tcp/4821'])
  })
})
