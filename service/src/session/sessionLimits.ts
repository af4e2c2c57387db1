/**
 * Limits and defaults of the session layer (PROTOCOL.md §8, T§6–T§11) in one
 * place; they will become configuration. Durations are in milliseconds.
 */
export const SESSION_PROTOCOL_VERSION = 1

/** T§6.1: the plaintext frame header is 7 bytes. */
export const FRAME_HEADER_BYTES = 7
/** Largest plaintext frame (header + payload + padding); the record length prefix is a u16 (T§Appendix A MAX_FRAME_SIZE). */
export const MAX_FRAME_BYTES = 65535
/** T§9.2: padding per frame is at most 255 bytes (u8). */
export const MAX_PADDING_BYTES = 255
/** T§7.1 / T§7.3 */
export const MAX_STREAM_ID = 0xffffff
export const MAX_CONCURRENT_STREAMS = 1024
/** T§8.1 */
export const INITIAL_WINDOW_BYTES = 256 * 1024
export const MAX_WINDOW_BYTES = 16777215
/** Largest DATA payload this implementation sends in one frame (leaves room for any padding). */
export const MAX_DATA_PAYLOAD_BYTES = 16384
/** Largest DATAGRAM payload (one IP packet) such that any padding still fits into one frame. */
export const MAX_DATAGRAM_BYTES = MAX_FRAME_BYTES - FRAME_HEADER_BYTES - MAX_PADDING_BYTES
/**
 * A DATAGRAM is dropped, not queued, while the session's transport already
 * holds this many bytes it could not pass on yet (the tunnel's first hop is
 * slower than the sender). Datagrams are not flow-controlled, so without this
 * a program sending UDP faster than the tunnel carries it (or TCP over the
 * TUN interface, whose window keeps growing while nothing is lost) queued
 * without bound: 2 Gbit/s of UDP for 8 s grew a daemon to 1 GiB and kept the
 * tunnel busy for 29 s after the sender stopped. Dropping tells TCP to slow
 * down, as a full router queue would. 256 KiB is about 7 ms at 300 Mbit/s.
 */
export const MAX_QUEUED_BYTES_FOR_DATAGRAMS = 256 * 1024
/**
 * Stream data waits in its stream (the sending program is held back) while
 * the session's transport holds this many bytes it could not pass on yet, and
 * goes on once the transport has passed bytes on and holds less again. The session's flow
 * control windows (up to 16 MiB per session in the daemon) bound what the
 * peer may be sent, not where it waits: without this bound a sender whose
 * tunnel is slower than its program queued up to a whole window in the
 * tunnel's yamux stream, in buffers that outlive the young generation and so
 * wait for a full garbage collection. What the tunnel's first hop has taken
 * (up to 2 MiB of yamux window) stays in flight, so the tunnel never runs dry.
 */
export const MAX_QUEUED_BYTES_FOR_STREAMS = 512 * 1024
/**
 * T§10.1 ENHANCE_YOUR_CALM, T§11.3 "bounded buffers": the session ends with
 * GOAWAY(ENHANCE_YOUR_CALM) when it is about to send a frame while its
 * transport already holds this many bytes it could not pass on. Stream data
 * stops at MAX_QUEUED_BYTES_FOR_STREAMS (plus one frame) and datagrams at
 * MAX_QUEUED_BYTES_FOR_DATAGRAMS, so only frames the peer makes this side send
 * (PONG for every PING, STREAM_CLOSE for every refused or reset stream) can
 * pile up beyond them: a peer that keeps asking while it does not read the
 * answers (the HTTP/2 "ping flood" and "reset flood") would otherwise grow
 * this side's memory without bound.
 */
export const MAX_QUEUED_BYTES = 1024 * 1024
/**
 * T§11.3 "stream flood": streams the peer may open, as a token bucket. Each
 * accepted stream makes this node connect to a local service, and a stream
 * the peer resets at once no longer counts against MAX_CONCURRENT_STREAMS
 * (the HTTP/2 "rapid reset"); beyond the rate the session ends with
 * GOAWAY(ENHANCE_YOUR_CALM). A browser opening a page's connections through
 * SOCKS5 stays far below it.
 */
export const PEER_STREAM_OPENS_BURST = 256
export const PEER_STREAM_OPENS_PER_SECOND = 64
/** T§7.3: a stream that carried no DATA either way for this long is reset (CANCEL). */
export const STREAM_IDLE_TIMEOUT_MS = 300_000
/** T§9.2: minimum padded frame size, and the BLOCK strategy's block size. */
export const MIN_PADDED_FRAME_BYTES = 64
export const PADDING_BLOCK_BYTES = 64
/** T§9.4 */
export const IDLE_PADDING_INTERVAL_MS = 5_000
/** T§Appendix A */
export const KEEPALIVE_INTERVAL_MS = 30_000
export const HANDSHAKE_TIMEOUT_MS = 30_000
/** T§11.1: rekey after 2^32 messages or 24 h per direction. */
export const REKEY_AFTER_MESSAGES = 2 ** 32
export const REKEY_AFTER_MS = 24 * 60 * 60 * 1000
/**
 * The peer must rekey too: a record that arrives under a receive key older
 * than REKEY_AFTER_MS plus this grace (records in flight, queues along the
 * tunnel), or beyond REKEY_AFTER_MESSAGES records under one key, ends the
 * session with GOAWAY(PROTOCOL_ERROR).
 */
export const PEER_REKEY_GRACE_MS = 10 * 60 * 1000
/** T§11.2 / PROTOCOL.md §8: handshake timestamps outside ±5 min are rejected. */
export const HANDSHAKE_TIMESTAMP_WINDOW_MS = 5 * 60 * 1000
/** Capacity of the cache of recently seen initiator ephemeral keys (replay protection). */
export const REPLAY_CACHE_ENTRIES = 65536
/** The Noise protocol of the session (PROTOCOL.md §8, T§5.1). */
export const SESSION_NOISE_PROTOCOL = 'Noise_IK_25519_ChaChaPoly_SHA256'
/** Prologue mixed into every session handshake. */
export const SESSION_NOISE_PROLOGUE = 'phantom-session-v1'
