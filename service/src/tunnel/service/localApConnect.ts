import type { Stream } from '@libp2p/interface'
import type { ChunkTransform } from '../network/tunnelPipe.js'

/**
 * An apconnect answered inside this node: the exit node of the owner's path
 * is also an entry node of the target (PROTOCOL.md §7.3). libp2p cannot dial
 * its own node, so instead of an /phantom/apconnect stream the exit side hands
 * the entry side this object; once the target's owner has taken the inbound
 * tunnel, the entry side gives back its tunnel stream and the data layers it
 * would have applied between that stream and the apconnect stream, and the
 * exit side joins the two tunnels directly (composeTransforms).
 */
export interface LocalApConnect {
  /** The inbound tunnel is ready: `ownerStream` leads to the target's owner. */
  accept: (ownerStream: Stream, towardApConnect: ChunkTransform, fromApConnect: ChunkTransform) => void
  /** The inbound tunnel could not be set up (refused, timed out, path closed). */
  fail: (reason: string) => void
}

/** What an entry node joins an inbound tunnel to: an apconnect stream from another node, or an exit side of its own. */
export type ApConnectEnd =
  | { kind: 'stream', stream: Stream }
  | { kind: 'local', local: LocalApConnect }

/** `first` then `second` over the same chunk: the two hops' layers of a tunnel joined inside one node. */
export function composeTransforms (first: ChunkTransform, second: ChunkTransform): ChunkTransform {
  return {
    applyInPlace: (chunk) => {
      first.applyInPlace(chunk)
      second.applyInPlace(chunk)
    }
  }
}
