/** Record layout (T§6.3): masked u16 plaintext length || ciphertext (length bytes) || 16-byte Poly1305 tag. */
export const RECORD_LENGTH_BYTES = 2
export const RECORD_TAG_BYTES = 16
export const MAX_RECORD_PLAINTEXT_BYTES = 65535
/** The largest record on the wire: 65535 + 16 + 2. */
export const MAX_RECORD_BYTES = RECORD_LENGTH_BYTES + MAX_RECORD_PLAINTEXT_BYTES + RECORD_TAG_BYTES
/** Label under which the two length-mask keys are derived from the Noise chaining key at Split(). */
export const LENGTH_MASK_LABEL = 'phantom-length-mask-v1'

/** The AEAD associated data of a record: its unmasked length (u16 BE), so the length is authenticated explicitly. */
export function recordAssociatedData (length: number): Buffer {
  const ad = Buffer.alloc(2)
  ad.writeUInt16BE(length)
  return ad
}
