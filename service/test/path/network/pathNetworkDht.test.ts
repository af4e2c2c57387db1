import assert from 'node:assert/strict'
import type { PhantomNode } from '../../../src/daemon/phantomNode.js'
import { InProcessNetwork } from '../../harness/inProcessNetwork.js'
import { decodeApRecord } from '../../../src/netdb/records/apRecord.js'
import { apRecordKey } from '../../../src/netdb/recordKeys.js'
import { peerIdOfBytes } from '../../../src/path/network/peerAddressing.js'
import type { PathService } from '../../../src/path/service/index.js'
import { deriveApAddress } from '../../../src/netdb/apAddress.js'
import { waitFor } from '../../harness/waitFor.js'

const NODES = 12

interface DhtNode { node: PhantomNode, service: PathService }

describe(`paths over the real network database: ${NODES} in-process daemons`, function () {
  this.timeout(300_000)
  let net: InProcessNetwork | undefined
  const nodes: DhtNode[] = []

  before(async function () {
    // the daemon's own path service, with no paths kept by itself: the test builds them on demand
    net = await InProcessNetwork.start(NODES, () => ({}), { x: 2 })
    for (const node of net.nodes) nodes.push({ node, service: node.pathService })
  })

  after(async function () {
    await net?.stop()
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
