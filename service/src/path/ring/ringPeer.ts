/** A node the owner places on a setup ring, as learned from its node record. */
export interface RingPeer {
  /** libp2p PeerId multihash bytes (at most PEER_ID_MAX). */
  peerId: Uint8Array
  /** Binary multiaddrs (at most MULTIADDRS_MAX, each at most MULTIADDR_MAX bytes). */
  multiaddrs: Uint8Array[]
  /** X25519 path-building public key from its node record. */
  pbk: Uint8Array
}
