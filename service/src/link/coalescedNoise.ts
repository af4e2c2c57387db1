import { noise } from '@chainsafe/libp2p-noise'
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { useNonThrowingLengthDecoder } from './noiseLengthDecoder.js'
import { framedRuns } from './noiseOutputSlab.js'
import { sodiumNoiseCrypto } from './sodiumNoiseCrypto.js'

type NoiseFactory = ReturnType<typeof noise>

/**
 * libp2p's Noise on libsodium, with each send reaching the transport as one
 * buffer.
 *
 * libp2p-noise sends every message as a list of two buffers, the 2-byte
 * length and the ciphertext, and `@libp2p/tcp` writes each buffer of a list
 * with its own `socket.write`. With TCP_NODELAY (its default) that is two
 * system calls per message and often two segments, one of them 2 bytes long;
 * a relay does this for every record in both directions, and yamux's window
 * updates (one 46-byte message per frame received) pay it too. This wraps the
 * transport connection Noise secures so that the messages of one send go out
 * in one write. Our Noise crypto cuts each ciphertext from a slab with room
 * for its length in front (noiseOutputSlab.ts), so the messages of a send
 * already lie end to end and nothing is copied. The bytes on the wire are the
 * same. The secured connection reads message lengths without throwing when a
 * read ends on a message boundary (noiseLengthDecoder.ts).
 */
export function coalescedNoise (): NoiseFactory {
  const factory = noise({ crypto: sodiumNoiseCrypto })
  return (components) => {
    const inner = factory(components)
    const wrapped: ConnectionEncrypter = Object.create(inner)
    wrapped.secureOutbound = async (connection, options) => withLengthDecoder(await inner.secureOutbound(coalesceSends(connection), options))
    wrapped.secureInbound = async (connection, options) => withLengthDecoder(await inner.secureInbound(coalesceSends(connection), options))
    return wrapped as ReturnType<NoiseFactory>
  }
}

function withLengthDecoder<T extends { connection: unknown }> (secured: T): T {
  useNonThrowingLengthDecoder(secured.connection)
  return secured
}

/**
 * Makes `stream.send` pass the messages of a list on as one buffer (a view of
 * the ciphertexts' own memory when they came from our slab, else a copy; a
 * list of one buffer gives that buffer, uncopied). Should a slab have run out
 * in the middle of a send, the send is passed on in two parts, in order, and
 * the answer is false if either part asked the caller to wait. Returns the
 * same stream.
 */
export function coalesceSends<S extends MessageStream> (stream: S): S {
  const send = stream.send.bind(stream)
  stream.send = (data: Uint8Array | Uint8ArrayList): boolean => {
    if (data instanceof Uint8Array) return send(data)
    // not `instanceof Uint8ArrayList`: libp2p-noise brings its own copy of the package
    const runs = framedRuns(data)
    if (runs === null) return send(data.subarray())
    let writable = true
    for (const run of runs) writable = send(run) && writable
    return writable
  }
  return stream
}
