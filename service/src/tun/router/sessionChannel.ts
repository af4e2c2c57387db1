import { MAX_DATAGRAM_BYTES } from '../../session/sessionLimits.js'
import { type DatagramChannel } from './datagramSessions.js'

/** The part of a session (session/streams/session.ts) the router needs, structurally. */
export interface DatagramSession {
  readonly peer: { readonly apAddress: Buffer }
  readonly isClosed: boolean
  sendDatagram: (packet: Uint8Array) => boolean
}

const channels = new WeakMap<DatagramSession, DatagramChannel>()

/**
 * The one DatagramChannel of a session: the same object every time for the
 * same session (the router tells channels apart by identity), carrying
 * packets of up to MAX_DATAGRAM_BYTES as DATAGRAM frames.
 */
export function channelForSession (session: DatagramSession): DatagramChannel {
  let channel = channels.get(session)
  if (channel === undefined) {
    const peerAp = Buffer.from(session.peer.apAddress)
    channel = {
      peerAp,
      maxPacket: MAX_DATAGRAM_BYTES,
      get closed () { return session.isClosed },
      send: (packet) => {
        if (packet.byteLength < 1 || packet.byteLength > MAX_DATAGRAM_BYTES) return false
        try { return session.sendDatagram(packet) } catch { return false }
      }
    }
    channels.set(session, channel)
  }
  return channel
}
