import { noise } from '@chainsafe/libp2p-noise'
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { sodiumNoiseCrypto } from './sodiumNoiseCrypto.js'

type NoiseFactory = ReturnType<typeof noise>

/**
 * libp2p's Noise on libsodium, with each Noise message handed to the
 * transport as one buffer.
 *
 * libp2p-noise sends every message as a list of two buffers, the 2-byte
 * length and the ciphertext, and `@libp2p/tcp` writes each buffer of a list
 * with its own `socket.write`. With TCP_NODELAY (its default) that is two
 * system calls per message and often two segments, one of them 2 bytes long;
 * a relay does this for every record in both directions, and yamux's window
 * updates (one 46-byte message per frame received) pay it too. This wraps the
 * transport connection Noise secures so that a send of several buffers
 * reaches it as one (a copy of up to 64 KiB, cheaper than the write it
 * saves). The bytes on the wire are the same.
 */
export function coalescedNoise (): NoiseFactory {
  const factory = noise({ crypto: sodiumNoiseCrypto })
  return (components) => {
    const inner = factory(components)
    const wrapped: ConnectionEncrypter = Object.create(inner)
    wrapped.secureOutbound = async (connection, options) => await inner.secureOutbound(coalesceSends(connection), options)
    wrapped.secureInbound = async (connection, options) => await inner.secureInbound(coalesceSends(connection), options)
    return wrapped as ReturnType<NoiseFactory>
  }
}

/**
 * Makes `stream.send` pass a list of buffers on as one buffer (a list of one
 * buffer gives that buffer, uncopied); returns the same stream.
 */
export function coalesceSends<S extends MessageStream> (stream: S): S {
  const send = stream.send.bind(stream)
  // not `instanceof Uint8ArrayList`: libp2p-noise brings its own copy of the package
  stream.send = (data: Uint8Array | Uint8ArrayList): boolean => send(data instanceof Uint8Array ? data : data.subarray())
  return stream
}
