/**
 * Wire constants of the path-setup protocol (PROTOCOL.md §6). These fix the
 * byte layout every node must agree on, so they are protocol constants, not
 * configuration. Every setup package, slot and array in the network has the
 * same size whatever the role, round or orientation (invariant 1).
 */

/** Version byte of a setup package. */
export const SETUP_VERSION = 2

/** Longest PeerId (multihash bytes) a package can name. Ed25519 identity PeerIds are 38 bytes. */
export const PEER_ID_MAX = 64
/** At most this many multiaddrs per named peer. */
export const MULTIADDRS_MAX = 4
/** Longest binary multiaddr. */
export const MULTIADDR_MAX = 64
/** Fixed size of an encoded peer reference: u8 length + PeerId field, u8 count, then MULTIADDRS_MAX × (u8 length + MULTIADDR_MAX). */
export const PEER_REF_BYTES = 1 + PEER_ID_MAX + 1 + MULTIADDRS_MAX * (1 + MULTIADDR_MAX)

/** Link IDs, seeds, hashes and the construction key are 32 bytes. */
export const LINK_ID_BYTES = 32
export const SEED_BYTES = 32
export const HASH_BYTES = 32
export const CONSTRUCTION_KEY_BYTES = 32

/** Number of dummy-operation fields in every package (unused ones are "none"). */
export const DUMMY_OPS = 4
/** One dummy operation: op code u8 + 32 bytes (insert seed or slot hash). */
export const DUMMY_OP_BYTES = 1 + 32

/** AP address (IPv6, fd50::/16) carried to the terminating node of an entry path. */
export const AP_ADDRESS_BYTES = 16
/** Largest signed AP record a package can carry (opaque bytes). */
export const AP_RECORD_MAX = 1024

/** Every encoded setup package is exactly this long (zero-padded). */
export const SLOT_PLAIN = 2112

/** Ed25519 signature appended to the package inside the sealed box. */
export const SIGNATURE_BYTES = 64
/** crypto_box_seal overhead (ephemeral public key 32 + MAC 16). */
export const SEAL_OVERHEAD = 48
/** XChaCha20-Poly1305 nonce and tag. */
export const SLOT_NONCE_BYTES = 24
export const SLOT_TAG_BYTES = 16

/** Length of every slot: nonce || AEAD(sealed(package || signature)). */
export const SLOT_LEN = SLOT_NONCE_BYTES + SLOT_PLAIN + SIGNATURE_BYTES + SEAL_OVERHEAD + SLOT_TAG_BYTES

/** Every setup array in the network has exactly this many slots; a ring has at most this many members. */
export const ARRAY_SLOTS = 32
/**
 * Largest ring the owner builds: at least two junk slots are always present
 * when a member plans its dummy deletes, so the number of dummy operations
 * never depends on the position.
 */
export const MAX_RING_MEMBERS = ARRAY_SLOTS - 2
/** Byte length of every setup array. */
export const ARRAY_BYTES = ARRAY_SLOTS * SLOT_LEN

/** One setup message on /phantom/setup: link ID || array. */
export const SETUP_MESSAGE_BYTES = LINK_ID_BYTES + ARRAY_BYTES

/** Setup rounds. The round number is bound into the slot key and the signature. */
export type SetupRound = 1 | 2
