/**
 * The bench server's wire protocol: the client's first byte picks the mode.
 *   'E' echo: every later byte is sent back unchanged (64-byte round trips);
 *   'D' download: the server sends a pattern as fast as the connection takes
 *       it, until the client closes (bulk throughput);
 *   'T' first byte: the server answers one byte 'T' and closes (time to first
 *       byte of a fresh connection).
 * Any other first byte closes the connection.
 */
export const BenchMode = {
  echo: 0x45,
  download: 0x44,
  firstByte: 0x54
} as const

export type BenchModeByte = typeof BenchMode[keyof typeof BenchMode]

/** Size of each write of the download mode. */
export const DOWNLOAD_CHUNK_BYTES = 64 * 1024
/** Payload of one echo round trip. */
export const ECHO_BYTES = 64
