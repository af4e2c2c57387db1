import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId, PeerInfo } from '@libp2p/interface'
import { lanDiscovery } from '../../src/link/lanDiscovery.js'

async function newPeerId (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/** The mDNS discovery, built but never started (no socket), with fake host components. */
async function harness (state: { known: boolean, connected: boolean }) {
  const self = await newPeerId()
  const reported: PeerInfo[] = []
  const components = {
    peerId: self,
    logger: { forComponent: () => Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false }) },
    addressManager: { getAddresses: () => [] },
    connectionManager: { getConnections: () => state.connected ? [{}] : [] },
    peerStore: { has: async () => state.known },
    events: { safeDispatchEvent: (type: string, init: { detail: PeerInfo }) => { if (type === 'peer:discovery') reported.push(init.detail); return true } }
  }
  // only the parts the discovery uses are faked
  const discovery = lanDiscovery({ interval: 10_000 })(components as never)
  const answer = async (peer: PeerInfo): Promise<void> => {
    discovery.dispatchEvent(new CustomEvent('peer', { detail: peer }))
    await new Promise(resolve => setImmediate(resolve))
  }
  return { self, reported, answer }
}

describe('LAN discovery (mDNS that reports unconnected peers again)', () => {
  it('reports a known peer that is not connected at every answer', async () => {
    const h = await harness({ known: true, connected: false })
    const peer = { id: await newPeerId(), multiaddrs: [] }
    await h.answer(peer)
    await h.answer(peer)
    assert.equal(h.reported.length, 2)
    assert.ok(h.reported.every(p => p.id.equals(peer.id)))
  })

  it('leaves a new peer to libp2p, and is silent about connected peers and itself', async () => {
    const unknown = await harness({ known: false, connected: false })
    await unknown.answer({ id: await newPeerId(), multiaddrs: [] })
    assert.equal(unknown.reported.length, 0)
    const connected = await harness({ known: true, connected: true })
    await connected.answer({ id: await newPeerId(), multiaddrs: [] })
    assert.equal(connected.reported.length, 0)
    const self = await harness({ known: true, connected: false })
    await self.answer({ id: self.self, multiaddrs: [] })
    assert.equal(self.reported.length, 0)
  })
})
