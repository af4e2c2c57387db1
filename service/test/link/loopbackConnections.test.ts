import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from 'libp2p'
import { createPhantomHost, type PhantomHost } from '../../src/link/phantomHost.js'
import { createRecordValidators } from '../../src/netdb/recordValidators.js'
import { recordSelectors } from '../../src/netdb/recordSelectors.js'
import { createLabHost } from '../path/network/pathLab.js'
import { waitFor } from '../harness/waitFor.js'

describe('link: connections between nodes on one machine', function () {
  this.timeout(120_000)
  let host: PhantomHost | undefined
  const dialers: Libp2p[] = []

  after(async () => {
    await Promise.all(dialers.map(async (d) => { await d.stop() }))
    await host?.stop()
  })

  it('accepts a burst of inbound connections from loopback (libp2p alone refuses the sixth per second from one IP)', async () => {
    const v = createRecordValidators()
    host = await createPhantomHost({
      privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], announce: [], bootstrap: [], mdns: false, allowPrivateAddresses: true,
      validators: { 'phantom-node': v['phantom-node'], 'phantom-ap': v['phantom-ap'] },
      selectors: { 'phantom-node': recordSelectors['phantom-node'], 'phantom-ap': recordSelectors['phantom-ap'] }
    })
    for (let i = 0; i < 10; i++) dialers.push(await createLabHost())
    const target = host.getMultiaddrs()
    // a generous dial timeout: the burst is what matters, and a loaded machine makes handshakes slow
    const results = await Promise.allSettled(dialers.map(async (d) => await d.dial(target, { signal: AbortSignal.timeout(60_000) })))
    const refused = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))
    assert.deepEqual(refused, [])
    const h = host
    await waitFor('the node lists all 10 inbound connections', () => h.getConnections().length === 10, 30_000, 20)
  })
})
