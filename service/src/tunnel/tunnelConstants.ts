/** Constants of the routing-tunnel layer (PROTOCOL.md §7). Defaults that belong in the configuration are marked. */

/** Every setup block (probe, initialisation, reply, confirmation, dummy) is one 64-byte block. */
export const BLOCK_BYTES = 64
/** The Feistel permutation works on two halves of 32 bytes. */
export const HALF_BYTES = 32
export const FEISTEL_ROUNDS = 4

/** One tunnel key K[j] (and one data-layer key). */
export const TUNNEL_KEY_BYTES = 32
/** Key seed carried in the X-node's setup package. */
export const KEY_SEED_BYTES = 32
/** crypto_kdf context of the tunnel key sets. */
export const TUNNEL_KEY_CONTEXT = 'PHNTKEYS'
/** Smallest and largest key count N a hop accepts (N is a u16 in the setup package; this bound keeps memory small). */
export const KEY_COUNT_MIN = 1
export const KEY_COUNT_MAX = 4096

/** AP addresses are 16 bytes (fd50::/16). */
export const AP_ADDRESS_BYTES = 16

/** Hop cache: lifetime of an entry (default, configuration) and the most entries one hop keeps (configuration). */
export const HOP_CACHE_TTL_MS = 60_000
export const HOP_CACHE_MAX_ENTRIES = 8192

/** Owner key search: worst-case budget at the configured hop count (defaults, configuration). */
export const SEARCH_BUDGET_MS = 100
export const DEFAULT_HOP_COUNT = 3
/** Most hops a search accepts (bounds the worker's work). */
export const MAX_HOP_COUNT = 8
