import { ByteReader, ByteWriter, DecodeError } from '../../wire/index.js'
import { MULTIADDR_MAX, MULTIADDRS_MAX, PEER_ID_MAX } from './constants.js'

/** A neighbour named in a setup package: who to accept from or who to dial. */
export interface PeerRef {
  peerId: Uint8Array
  multiaddrs: Uint8Array[]
}

/** Throws RangeError when `peer` does not fit the fixed fields (owner-side input check). */
export function assertPeerRefFits (peer: PeerRef, what = 'peer'): void {
  if (peer.peerId.byteLength < 1 || peer.peerId.byteLength > PEER_ID_MAX) throw new RangeError(`${what}: PeerId must be 1..${PEER_ID_MAX} bytes`)
  if (peer.multiaddrs.length > MULTIADDRS_MAX) throw new RangeError(`${what}: at most ${MULTIADDRS_MAX} multiaddrs`)
  for (const ma of peer.multiaddrs) {
    if (ma.byteLength < 1 || ma.byteLength > MULTIADDR_MAX) throw new RangeError(`${what}: multiaddr must be 1..${MULTIADDR_MAX} bytes`)
  }
}

function zeroPadded (writer: ByteWriter, value: Uint8Array, field: number): void {
  writer.u8(value.byteLength).bytes(value).bytes(new Uint8Array(field - value.byteLength))
}

/** Writes PEER_REF_BYTES bytes; null ("none") is all zero. */
export function writePeerRef (writer: ByteWriter, peer: PeerRef | null): void {
  if (peer != null) assertPeerRefFits(peer)
  zeroPadded(writer, peer?.peerId ?? new Uint8Array(0), PEER_ID_MAX)
  const multiaddrs = peer?.multiaddrs ?? []
  writer.u8(multiaddrs.length)
  for (let i = 0; i < MULTIADDRS_MAX; i++) zeroPadded(writer, multiaddrs[i] ?? new Uint8Array(0), MULTIADDR_MAX)
}

function readZeroPadded (reader: ByteReader, max: number, what: string): Buffer {
  const length = reader.u8()
  if (length > max) throw new DecodeError(`${what}: length ${length} exceeds ${max}`)
  const value = reader.bytes(length)
  if (!isAllZero(reader.bytes(max - length))) throw new DecodeError(`${what}: non-zero padding`)
  return value
}

/** Reads PEER_REF_BYTES bytes strictly; all zero reads as null. */
export function readPeerRef (reader: ByteReader, what: string): PeerRef | null {
  const peerId = readZeroPadded(reader, PEER_ID_MAX, `${what} PeerId`)
  const count = reader.u8()
  if (count > MULTIADDRS_MAX) throw new DecodeError(`${what}: ${count} multiaddrs exceeds ${MULTIADDRS_MAX}`)
  const multiaddrs: Buffer[] = []
  for (let i = 0; i < MULTIADDRS_MAX; i++) {
    const ma = readZeroPadded(reader, MULTIADDR_MAX, `${what} multiaddr`)
    if (i < count) {
      if (ma.length === 0) throw new DecodeError(`${what}: empty multiaddr`)
      multiaddrs.push(ma)
    } else if (ma.length !== 0) {
      throw new DecodeError(`${what}: multiaddr beyond the stated count`)
    }
  }
  if (peerId.length === 0) {
    if (count !== 0) throw new DecodeError(`${what}: multiaddrs without a PeerId`)
    return null
  }
  return { peerId, multiaddrs }
}

export function isAllZero (bytes: Uint8Array): boolean {
  let acc = 0
  for (let i = 0; i < bytes.byteLength; i++) acc |= bytes[i] as number
  return acc === 0
}
