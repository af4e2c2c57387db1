import { mdns, type MulticastDNSInit } from '@libp2p/mdns'
import type { PeerInfo } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

type DiscoveryFactory = NonNullable<Libp2pOptions['peerDiscovery']>[number]
type HostComponents = Parameters<DiscoveryFactory>[0]

/**
 * mDNS discovery on the LAN that reports a peer again while it is not
 * connected. libp2p raises `peer:discovery` only when a peer first enters the
 * peer store, so a peer found before the node listens for that event (both
 * nodes starting at the same moment), or found while its only announced
 * addresses did not work yet (a link-local address still being assigned), was
 * never dialled again. Every mDNS answer (one per query, every `interval`)
 * from a peer this node is not connected to raises `peer:discovery` once more;
 * the node's handler bounds the dials.
 */
export function lanDiscovery (init: MulticastDNSInit = {}): DiscoveryFactory {
  const createMdns = mdns(init)
  return (components: HostComponents) => {
    const discovery = createMdns(components)
    discovery.addEventListener('peer', (evt: CustomEvent<PeerInfo>) => {
      const peer = evt.detail
      if (peer.id.equals(components.peerId)) return
      if (components.connectionManager.getConnections(peer.id).length > 0) return
      // a new peer is reported by libp2p itself (it enters the peer store)
      void components.peerStore.has(peer.id).then((known) => {
        if (known) components.events.safeDispatchEvent('peer:discovery', { detail: peer })
      }, () => {})
    })
    return discovery
  }
}
