import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { PhantomNode } from '../../../src/daemon/phantomNode.js'
import type { NodeSettings } from '../../../src/daemon/nodeSettings.js'
import { createLogger } from '../../../src/logging/logger.js'
import { decodeApRecord } from '../../../src/netdb/records/apRecord.js'
import { apRecordKey } from '../../../src/netdb/recordKeys.js'
import { peerIdOfBytes } from '../../../src/path/network/peerAddressing.js'
import type { PathService } from '../../../src/path/service/index.js'
import { deriveApAddress } from '../../../src/netdb/apAddress.js'
import { waitFor } from '../../harness/waitFor.js'

const NODES = 12
const HOUR = 3_600_000

interface DhtNode { node: PhantomNode, service: PathService }

describe(`paths over the real network database: ${NODES} in-process daemons`, function () {
  this.timeout(300_000)
  let dir = ''
  const nodes: DhtNode[] = []

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'phantom-path-dht-'))
    const log = createLogger('error')
    const seeds: string[] = []
    for (let i = 0; i < NODES; i++) {
      const settings: NodeSettings = {
        dataDir: join(dir, `n${i}`),
        controlSocket: join(dir, `n${i}.sock`),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        announce: [],
        bootstrap: [...seeds],
        mdns: false,
        allowPrivateAddresses: true,
        peerCacheSize: 100,
        pathBuildingKeyRotationMs: 24 * HOUR,
        pathBuildingKeyGraceMs: HOUR,
        nodeRecordLifetimeMs: 2 * HOUR,
        nodeRecordRepublishIntervalMs: HOUR,
        queryResponders: 3,
        logLevel: 'error',
        // the daemon's own path service, with no paths kept by itself: the test builds them on demand
        path: { x: 2, extraY: 0, diversity: false, roundTimeoutMs: 10_000, exitCount: 0, entryCount: 0 },
        tun: { enabled: false, name: 'phantom0', mtu: 65273 },
        dns: { enabled: false, listen: '127.0.80.53:53', hostsFile: '/nonexistent/hosts' },
        ap: { expose: [], answerPing: true },
        socks: { enabled: false, listen: '127.0.0.1:9080' },
        services: []
      }
      const node = await PhantomNode.start(settings, log)
      if (i === 0) seeds.push(node.host.getMultiaddrs().find((a) => a.toString().includes('/ip4/127.0.0.1/'))!.toString())
      const service = node.pathService
      nodes.push({ node, service })
    }
    const seed = multiaddr(seeds[0]!)
    let lastDial = 0
    await waitFor('every node record stored in the DHT', () => {
      // the bootstrap module dials once; on a loaded machine that dial can fail and leave a node alone
      if (Date.now() - lastDial > 5000) {
        lastDial = Date.now()
        for (const n of nodes.slice(1)) if (n.node.host.getConnections().length === 0) void n.node.host.dial(seed).catch(() => {})
      }
      return nodes.every((n) => n.node.isNetdbReady())
    }, 180_000, 200)
  })

  after(async function () {
    await Promise.allSettled(nodes.map(async (n) => { await n.node.stop() }))
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it('an exit and an entry path build from DHT-sampled nodes; the entry path\'s terminating node publishes the AP record and another node fetches it', async () => {
    const owner = nodes[0]!
    const exit = await owner.service.buildPath('exit', { maxAttempts: 5 })
    assert.ok(exit.ok, exit.attempts.map((a) => a.reason).join('; '))

    const entry = await owner.service.buildPath('entry', { maxAttempts: 5 })
    assert.ok(entry.ok, entry.attempts.map((a) => a.reason).join('; '))
    const attempt = entry.attempts[entry.attempts.length - 1]!
    const ap = entry.apAddress!
    const terminating = attempt.terminating
    const reader = nodes.find((n) => n !== owner && n.node.peerId.toString() !== terminating)!
    const found = await waitFor('AP record in the DHT', async () => await reader.node.getRecord(apRecordKey(ap)) ?? undefined, 60_000, 500)
    const record = decodeApRecord(found.value)
    assert.ok(Buffer.from(record.ap).equals(ap))
    assert.ok(Buffer.from(ap).equals(deriveApAddress(owner.node.apIdentity.routing.publicKey)), 'the entry path serves the daemon\'s own AP address')
    assert.deepEqual(record.entryNodes.map((e) => peerIdOfBytes(e.peerId).toString()), [terminating])
    assert.ok(owner.service.list().filter((p) => p.state === 'ready').length === 2)
  })
})
