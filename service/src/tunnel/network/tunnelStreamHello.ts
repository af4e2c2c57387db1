/**
 * The opening of a /phantom/tunnel/1.0.0 stream (PROTOCOL.md §7): the link ID
 * of the path link between the two neighbours (so the receiver finds the path
 * the tunnel belongs to, and checks the sender is that link's other end),
 * then the two setup blocks.
 *
 *   linkId (32) ‖ first block (64) ‖ second block (64)   = 160 bytes
 */
import { DecodeError } from '../../wire/decodeError.js'
import { BLOCK_BYTES } from '../tunnelConstants.js'

export const TUNNEL_LINK_ID_BYTES = 32
export const TUNNEL_HELLO_BYTES = TUNNEL_LINK_ID_BYTES + 2 * BLOCK_BYTES

export interface TunnelStreamHello {
  linkId: Buffer
  first: Buffer
  second: Buffer
}

export function encodeTunnelStreamHello (hello: TunnelStreamHello): Buffer {
  if (hello.linkId.byteLength !== TUNNEL_LINK_ID_BYTES) throw new RangeError(`link ID must be ${TUNNEL_LINK_ID_BYTES} bytes`)
  if (hello.first.byteLength !== BLOCK_BYTES || hello.second.byteLength !== BLOCK_BYTES) throw new RangeError(`setup blocks are ${BLOCK_BYTES} bytes`)
  return Buffer.concat([hello.linkId, hello.first, hello.second])
}

export function decodeTunnelStreamHello (bytes: Uint8Array): TunnelStreamHello {
  if (bytes.byteLength !== TUNNEL_HELLO_BYTES) throw new DecodeError(`tunnel hello: must be ${TUNNEL_HELLO_BYTES} bytes, got ${bytes.byteLength}`)
  const b = Buffer.from(bytes)
  return {
    linkId: b.subarray(0, TUNNEL_LINK_ID_BYTES),
    first: b.subarray(TUNNEL_LINK_ID_BYTES, TUNNEL_LINK_ID_BYTES + BLOCK_BYTES),
    second: b.subarray(TUNNEL_LINK_ID_BYTES + BLOCK_BYTES)
  }
}
