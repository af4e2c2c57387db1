/** Small stream steps the tunnel service repeats: open a tunnel stream to a neighbour, read one fixed-size message. */
import type { PeerId, Stream } from '@libp2p/interface'
import { PHANTOM_TUNNEL_PROTOCOL } from '../../link/phantomProtocols.js'
import { ExactReader } from '../../path/network/exactReader.js'
import { dialTargets } from '../../path/network/peerAddressing.js'
import { sendAll } from '../../path/network/streamSend.js'
import type { PeerRef } from '../../path/setup/peerRef.js'
import type { TunnelHost } from './tunnelRuntime.js'

/** Room for tunnel data that may follow a setup message before the pipe takes the stream over. */
export const EARLY_DATA_BUDGET = 4 << 20

/**
 * Opens /phantom/tunnel to a path neighbour and sends the hello. Neighbours
 * are connected already (their link stream runs over that connection), so
 * the PeerId is dialled: libp2p reuses the connection (a predecessor's
 * package may carry no addresses at all).
 */
export async function openTunnelStream (host: TunnelHost, neighbour: PeerRef, hello: Uint8Array, timeoutMs: number): Promise<Stream> {
  const { peerId, addrs } = dialTargets(neighbour)
  const stream = await host.dialProtocol(addrs.length > 0 && !hasConnection(host, peerId) ? addrs : peerId, PHANTOM_TUNNEL_PROTOCOL, { signal: AbortSignal.timeout(timeoutMs), negotiateFully: false })
  try {
    await sendAll(stream, hello, timeoutMs)
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
  return stream
}

function hasConnection (host: TunnelHost, peerId: PeerId): boolean {
  return host.getConnections(peerId).some((c) => c.status === 'open')
}

/**
 * A reader for the setup part of a tunnel stream; `release` hands bytes read
 * ahead back to the stream for whoever reads it next.
 */
export function setupReader (stream: Stream, setupBytes: number): ExactReader {
  return new ExactReader(stream, setupBytes + EARLY_DATA_BUDGET)
}
