import { ByteReader } from '../../wire/byteReader.js'
import { ByteWriter } from '../../wire/byteWriter.js'
import { DecodeError } from '../../wire/decodeError.js'
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES } from '../../crypto/signing.js'

export const HANDSHAKE_RANDOM_BYTES = 16
/** T§5.4 flags: bit 0 padding enabled, bit 1 compression (reserved, must be 0), bits 2–7 reserved (must be 0). */
export const HANDSHAKE_FLAG_PADDING = 0x01
const KNOWN_FLAGS = HANDSHAKE_FLAG_PADDING

/** T§5.4 common part: version u8, flags u8, timestamp u64 BE (ms since the epoch), 16 random bytes = 26 bytes. */
export interface HandshakeHello {
  version: number
  flags: number
  timestampMs: bigint
  random: Buffer
}

/** Initiator payload: hello (26) + routingPub (32) + signature (64) = 122 bytes. */
export interface InitiatorPayload extends HandshakeHello {
  routingPublicKey: Buffer
  bindingSignature: Buffer
}

export const RESPONDER_PAYLOAD_BYTES = 26
export const INITIATOR_PAYLOAD_BYTES = RESPONDER_PAYLOAD_BYTES + ED25519_PUBLIC_KEY_BYTES + ED25519_SIGNATURE_BYTES

function writeHello (writer: ByteWriter, hello: HandshakeHello): void {
  if (hello.random.byteLength !== HANDSHAKE_RANDOM_BYTES) throw new RangeError('handshake random must be 16 bytes')
  writer.u8(hello.version).u8(hello.flags).u64(hello.timestampMs).bytes(hello.random)
}

function readHello (reader: ByteReader): HandshakeHello {
  const version = reader.u8()
  const flags = reader.u8()
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new DecodeError(`handshake payload: reserved flag bits set (0x${flags.toString(16)})`)
  return { version, flags, timestampMs: reader.u64(), random: reader.bytes(HANDSHAKE_RANDOM_BYTES) }
}

export function encodeResponderPayload (hello: HandshakeHello): Buffer {
  const writer = new ByteWriter(RESPONDER_PAYLOAD_BYTES)
  writeHello(writer, hello)
  return writer.finish()
}

export function decodeResponderPayload (bytes: Uint8Array): HandshakeHello {
  const reader = new ByteReader(bytes, 'responder handshake payload')
  const hello = readHello(reader)
  reader.end()
  return hello
}

export function encodeInitiatorPayload (payload: InitiatorPayload): Buffer {
  if (payload.routingPublicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES) throw new RangeError('routing public key must be 32 bytes')
  if (payload.bindingSignature.byteLength !== ED25519_SIGNATURE_BYTES) throw new RangeError('binding signature must be 64 bytes')
  const writer = new ByteWriter(INITIATOR_PAYLOAD_BYTES)
  writeHello(writer, payload)
  writer.bytes(payload.routingPublicKey).bytes(payload.bindingSignature)
  return writer.finish()
}

export function decodeInitiatorPayload (bytes: Uint8Array): InitiatorPayload {
  const reader = new ByteReader(bytes, 'initiator handshake payload')
  const hello = readHello(reader)
  const routingPublicKey = reader.bytes(ED25519_PUBLIC_KEY_BYTES)
  const bindingSignature = reader.bytes(ED25519_SIGNATURE_BYTES)
  reader.end()
  return { ...hello, routingPublicKey, bindingSignature }
}
