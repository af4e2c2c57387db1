/**
 * Protocol limits of the network-database records (PROTOCOL.md §4). Every node
 * must apply the same values or records valid for one node would be dropped by
 * another, so these are protocol constants, not configuration.
 */

export const NODE_RECORD_VERSION = 1
export const AP_RECORD_VERSION = 1

/** Signature domains: the signed message is the domain's ASCII bytes followed by the record bytes before the signature. */
export const NODE_RECORD_SIGNING_DOMAIN = 'phantom-node-record-v1'
export const AP_RECORD_SIGNING_DOMAIN = 'phantom-ap-record-v1'

/**
 * Largest raw record accepted, checked before any decoding. A node record with
 * every field at its maximum is 1199 bytes, so 2048 never rejects a well-formed
 * one. An AP record with eight entry nodes of eight 128-byte multiaddrs each
 * would be 8746 bytes; 4096 bounds it instead (eight entry nodes with four
 * IPv6+TCP addresses each make a 1162-byte record). Encoders refuse to exceed these.
 */
export const NODE_RECORD_MAX_BYTES = 2048
export const AP_RECORD_MAX_BYTES = 4096

/** Dialable multiaddrs of one node (node record, or one entry node of an AP record). */
export const MAX_MULTIADDRS_PER_NODE = 8
/** Binary length of one multiaddr. */
export const MAX_MULTIADDR_BYTES = 128
/** Entry nodes listed in one AP record. */
export const MAX_ENTRY_NODES = 8

/** An Ed25519 PeerId multihash: identity code 0x00, length 0x24, protobuf PublicKey { Type: Ed25519, Data: 32 bytes }. */
export const ED25519_PEER_ID_BYTES = 38

const MINUTE_MS = 60 * 1000
const HOUR_MS = 60 * MINUTE_MS

/** Longest allowed `expiresAt - issuedAt`. */
export const NODE_RECORD_MAX_LIFETIME_MS = 2 * HOUR_MS
export const AP_RECORD_MAX_LIFETIME_MS = 1 * HOUR_MS
/** How far in the future `issuedAt` may lie (clock skew between nodes). */
export const MAX_ISSUED_AT_SKEW_MS = 5 * MINUTE_MS
