/**
 * How long a libp2p connection may leave a liveness ping unanswered before it
 * is closed.
 *
 * libp2p pings every connection every 10 s and, by default, aborts it when a
 * ping takes longer than an adaptive timeout that falls to 5 s on a fast LAN.
 * A Phantom connection carries the tunnels of routing paths: aborting it kills
 * every path and session through it. An old PC, an emulated VM or any relay
 * in the middle of a bulk transfer (the ping waits behind megabytes of yamux
 * window) answers later than that while being perfectly alive, and the
 * connections then flap: closed, rediscovered, redialled, paths rebuilt.
 * Here a ping may take PING_TIMEOUT_MIN_MS (longer if the link's own
 * history says so, at most PING_TIMEOUT_MAX_MS) before the connection is
 * closed. The timeout stays below the ping interval: libp2p allows one
 * outstanding ping stream per connection, and a second heartbeat while the
 * first ping still waits fails at once and aborts the connection too. A dead
 * peer is dropped within about a minute (one interval plus one timeout).
 */
export const PING_INTERVAL_MS = 30_000
export const PING_TIMEOUT_MIN_MS = 25_000
export const PING_TIMEOUT_MAX_MS = 29_000

export const CONNECTION_MONITOR = {
  pingInterval: PING_INTERVAL_MS,
  pingTimeout: { minTimeout: PING_TIMEOUT_MIN_MS, maxTimeout: PING_TIMEOUT_MAX_MS },
  abortConnectionOnPingFailure: true
} as const
