/**
 * One edge of a path (PROTOCOL.md §6 "Linking"): the /phantom/link stream
 * between two neighbours of the final path, the owner counting as the
 * neighbour of X1. Exactly one end opens it, by a rule both ends apply
 * without knowing the path's orientation: the end whose PeerId is smaller.
 */
import type { Stream } from '@libp2p/interface'
import { PHANTOM_LINK_PROTOCOL } from '../../link/phantomProtocols.js'
import { ExactReader } from '../network/exactReader.js'
import { encodeLinkHello, LINK_BLOCK_BYTES } from '../network/linkBlocks.js'
import { connectedOn, dialTarget } from '../network/peerAddressing.js'
import { resetQuietly, sendAll } from '../network/streamSend.js'
import type { PeerRef } from '../setup/peerRef.js'
import type { PathRuntime } from './pathRuntime.js'
import { WireTap } from './wireTap.js'

/**
 * Bytes a link reader may take beyond the hello and the ready block: the
 * tunnel requests an end may send right after it finished linking, which can
 * reach a relay in the same chunk as the last ready block. The reader hands
 * them back to the stream when it detaches.
 */
export const LINK_READ_SLACK = 16 * LINK_BLOCK_BYTES

/** A linked edge at this end, with the reader that takes its ready block. */
export interface EdgeStream {
  stream: Stream
  reader: ExactReader
  tap: WireTap
}

/** True when this end opens the edge to `neighbour` (the smaller PeerId opens). */
export function opensEdge (self: Uint8Array, neighbour: Uint8Array): boolean {
  return Buffer.compare(self, neighbour) < 0
}

/** Dials `peer`, opens the link stream and sends the hello naming the edge. */
export async function openEdge (rt: PathRuntime, peer: PeerRef, linkId: Uint8Array, timeoutMs: number): Promise<EdgeStream> {
  const { target, peerId } = dialTarget(peer, connectedOn(rt.host))
  const stream = await rt.host.dialProtocol(target, PHANTOM_LINK_PROTOCOL, { signal: AbortSignal.timeout(timeoutMs), negotiateFully: false })
  const tap = new WireTap(rt, 'link', 'outbound', peerId.toString())
  const reader = new ExactReader(stream, LINK_BLOCK_BYTES + LINK_READ_SLACK)
  try {
    const hello = encodeLinkHello(linkId)
    await sendAll(stream, hello, timeoutMs)
    tap.send(hello.byteLength)
  } catch (err) {
    reader.detach()
    resetQuietly(stream, 'link failed')
    throw err
  }
  return { stream, reader, tap }
}

/** Drops an edge that will not be used. */
export function dropEdge (edge: EdgeStream, reason: string): void {
  edge.reader.detach()
  resetQuietly(edge.stream, reason)
}
