import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { ProcessNode } from '../harness/processNode.js'
import { waitFor } from '../harness/waitFor.js'
import type { PeerSummary } from '../../src/daemon/phantomNode.js'
import { PING_INTERVAL_MS, PING_TIMEOUT_MAX_MS, PING_TIMEOUT_MIN_MS } from '../../src/link/linkLiveness.js'

/**
 * A peer that stops answering for a while (an old PC swapping, an emulated VM
 * on a loaded host) keeps its connection: two daemons on loopback, B frozen
 * with SIGSTOP for 20 s, then thawed. With libp2p's default (a ping every
 * 10 s, the connection aborted when one takes over 5 s) A closes the
 * connection during the freeze (checked: the test fails without
 * linkLiveness.ts); with it, it is the same connection afterwards.
 */
describe('link liveness: a peer frozen for longer than libp2p\'s default ping timeout keeps its connection', function () {
  this.timeout(180_000)
  const nodes: ProcessNode[] = []
  after(async () => {
    for (const node of nodes) if (node.pid != null) { try { process.kill(node.pid, 'SIGCONT') } catch {} }
    await Promise.all(nodes.map(async n => { await n.destroy() }))
  })

  it('A keeps the same connection to B across a 20 s freeze of B', async () => {
    // the freeze: longer than libp2p's default interval (10 s) plus its 5 s timeout, shorter than our timeout
    const freezeMs = 20_000
    assert.ok(freezeMs > 10_000 + 5_000 && freezeMs < PING_TIMEOUT_MIN_MS && PING_TIMEOUT_MAX_MS < PING_INTERVAL_MS)
    const b = await ProcessNode.create({ name: 'liveness-b', bootstrap: [], config: { mdns: false } })
    nodes.push(b)
    await b.start()
    const a = await ProcessNode.create({ name: 'liveness-a', bootstrap: [b.address], config: { mdns: false } })
    nodes.push(a)
    await a.start()
    const before = await waitFor('A connected to B', async () =>
      (await a.call<PeerSummary[]>('peers')).find(p => p.peerId === b.peerId), 60_000, 200)
    process.kill(b.pid!, 'SIGSTOP')
    try {
      await delay(freezeMs) // the stimulus: B answers nothing for this long
    } finally {
      process.kill(b.pid!, 'SIGCONT')
    }
    // B answers again; A must still hold the connection it had before the freeze
    await waitFor('B answers after the freeze', async () => (await b.status()).peerId === b.peerId, 30_000, 200)
    const after = (await a.call<PeerSummary[]>('peers')).find(p => p.peerId === b.peerId)
    assert.ok(after != null, 'A lost its connection to B during the freeze')
    assert.equal(after.openedAt, before.openedAt, 'A closed the connection during the freeze and dialled B again')
  })
})
