import type { Uint8ArrayList } from 'uint8arraylist'

/** The answer for "fewer than two bytes so far": longer than anything buffered, so the decoder waits for more. */
const WAIT_FOR_MORE = 0xffff

/**
 * Reads a Noise transport message's 2-byte big-endian length without
 * throwing when it has not fully arrived.
 *
 * libp2p-noise reads lengths with a function that throws a RangeError when
 * fewer than two bytes are buffered; its `LengthPrefixedDecoder` catches the
 * error and waits for the next read. That happens on every read that ends on
 * a message boundary, which on a busy relay is most of them, and building the
 * error (a stack trace each time) cost 3.5–5 % of a relay's CPU in the
 * session 6 profiles. This answers 65535 instead: the decoder then needs 65537
 * bytes, has fewer than 2, and waits, exactly as it does after the throw. With
 * two or more bytes the answer is the length, as before.
 */
export function uint16LengthOrWait (data: Uint8Array | Uint8ArrayList): number {
  if (data.byteLength < 2) return WAIT_FOR_MORE
  if (data instanceof Uint8Array) return (data[0]! << 8) | data[1]!
  return data.getUint16(0)
}

interface WithLengthDecoder { decoder?: { lengthDecoder?: unknown } }

/**
 * Gives the decoder of a connection secured by libp2p-noise (its
 * `EncryptedMessageStream`, whose `decoder` field is not part of the typed
 * API) our length reader. Returns false, changing nothing, if the library no
 * longer has that field; a test pins the library version that does.
 */
export function useNonThrowingLengthDecoder (connection: unknown): boolean {
  const decoder = (connection as WithLengthDecoder).decoder
  if (decoder == null || typeof decoder.lengthDecoder !== 'function') return false
  decoder.lengthDecoder = uint16LengthOrWait
  return true
}
