import { publicKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import type { Ed25519PeerId } from '@libp2p/interface'
import { DecodeError } from '../../wire/decodeError.js'
import { ED25519_PEER_ID_BYTES } from '../recordLimits.js'

/** Identity multihash header: code 0x00, digest length 0x24 (36 bytes of protobuf PublicKey). */
const IDENTITY_MULTIHASH_HEADER_BYTES = 2

function ed25519PeerIdFromBytes (bytes: Uint8Array): Ed25519PeerId {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== ED25519_PEER_ID_BYTES) {
    throw new DecodeError(`peer ID: not an Ed25519 peer ID (want a ${ED25519_PEER_ID_BYTES}-byte identity multihash)`)
  }
  let peerId: Ed25519PeerId
  try {
    const publicKey = publicKeyFromProtobuf(Uint8Array.from(bytes.subarray(IDENTITY_MULTIHASH_HEADER_BYTES)))
    if (publicKey.type !== 'Ed25519') throw new Error(`key type ${publicKey.type}`)
    peerId = peerIdFromPublicKey(publicKey)
  } catch (err) {
    throw new DecodeError(`peer ID: not an Ed25519 peer ID (${(err as Error).message})`)
  }
  if (!Buffer.from(peerId.toMultihash().bytes).equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) {
    throw new DecodeError('peer ID: not the canonical identity multihash of an Ed25519 key')
  }
  return peerId
}

/**
 * The Ed25519 public key inside a PeerId's multihash bytes (identity multihash
 * of the protobuf PublicKey). Strict: the bytes must be exactly the multihash
 * libp2p itself produces for that key (so one key has one encoding); RSA,
 * secp256k1, ECDSA and URL peer IDs are rejected. Throws DecodeError.
 */
export function ed25519PublicKeyFromPeerIdBytes (bytes: Uint8Array): Buffer {
  return Buffer.from(ed25519PeerIdFromBytes(bytes).publicKey.raw)
}

/** The canonical base58btc text ("12D3KooW…") of an Ed25519 PeerId given as multihash bytes. Throws DecodeError. */
export function peerIdStringFromBytes (bytes: Uint8Array): string {
  return ed25519PeerIdFromBytes(bytes).toString()
}
