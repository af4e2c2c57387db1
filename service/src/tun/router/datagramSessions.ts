/**
 * What the TUN router needs from the session layer, kept small so that the
 * daemon can back it with real sessions over routing tunnels and tests with
 * in-memory fakes.
 */

/** One established session as the router sees it. */
export interface DatagramChannel {
  /** The peer's authenticated AP address (16 bytes). */
  readonly peerAp: Buffer
  /** Returns false when the packet was dropped (session congested/closed). */
  send: (packet: Uint8Array) => boolean
  /** Largest packet the channel carries (at least 1280 for IPv6 to work). */
  readonly maxPacket: number
  /** Optional: true once the session is gone; the router then forgets the channel and opens a new one on the next packet. */
  readonly closed?: boolean
}

export interface DatagramSessions {
  /** Open or reuse a session to `ap` (rejects when the AP address cannot be reached). */
  channelTo: (ap: Buffer, signal: AbortSignal) => Promise<DatagramChannel>
}
