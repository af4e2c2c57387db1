/**
 * Settings of routing paths (PROTOCOL.md §6) and their defaults, in one place.
 * The configuration layer maps `path.*` keys onto PathSettings; everything
 * not configured falls back to DEFAULT_PATH_SETTINGS.
 */
export interface PathSettings {
  /** X-nodes per path (path.x), ≥ 2. */
  x: number
  /** Most extra Y-nodes beyond 2x−1; each build adds a random 0..extraY (path.extraY). */
  extraY: number
  /** Exit / entry paths kept alive (path.count.exit, path.count.entry). */
  exitCount: number
  entryCount: number
  /** A ready path is replaced after this long (path.rotateAfter); the replacement is built first. */
  rotateAfterMs: number
  /** The owner waits this long for an array to come back, per round, and for the ready block (path.setupTimeout). */
  roundTimeoutMs: number
  /** Setups this node takes part in at once as a ring member; more are dropped (path.maxConcurrentSetups). */
  maxConcurrentSetups: number
  /** Of those, at most this many from one ring predecessor (path.maxSetupsPerPeer). */
  maxSetupsPerPeer: number
  /** A member forgets a setup whose round 2 (or an X-node whose link) has not come within this time (path.setupStateTtl). */
  setupStateTtlMs: number
  /** Paths this node relays for others as an X-node at once; further link requests are refused (path.maxRelayedPaths). */
  maxRelayedPaths: number
  /** Diversity filter on sampled nodes (path.diversity); false for networks on one machine. */
  diversity: boolean
  /** PeerIds of trusted nodes; when not empty every path has at least one as an X-node (path.trusted). */
  trusted: string[]
  /** PeerIds never used in a path (path.blocklist). */
  blocklist: string[]
  /** Tunnel keys N of every X-node (path.keyCount); the tunnel layer later calibrates it. */
  keyCount: number
  /** A ring member of a failed build is avoided for this long (path.suspectFor). */
  suspectForMs: number
  /** Backoff after a failed build: doubles from min to max (path.retryBackoff). */
  retryBackoffMinMs: number
  retryBackoffMaxMs: number
  /** Lifetime of the AP record handed to an entry path's terminating node (≤ 1 h, the validators' limit). */
  apRecordLifetimeMs: number
  /** The terminating node of an entry path republishes the record this often while the path lives. */
  apRecordRepublishMs: number
}

const SECOND = 1000
const MINUTE = 60 * SECOND

export const DEFAULT_PATH_SETTINGS: Readonly<PathSettings> = Object.freeze({
  x: 3,
  extraY: 2,
  exitCount: 2,
  entryCount: 2,
  rotateAfterMs: 60 * MINUTE,
  roundTimeoutMs: 30 * SECOND,
  maxConcurrentSetups: 64,
  maxSetupsPerPeer: 16,
  setupStateTtlMs: 90 * SECOND,
  maxRelayedPaths: 1024,
  diversity: true,
  trusted: [],
  blocklist: [],
  keyCount: 32,
  suspectForMs: 10 * MINUTE,
  retryBackoffMinMs: 1 * SECOND,
  retryBackoffMaxMs: 60 * SECOND,
  apRecordLifetimeMs: 60 * MINUTE,
  apRecordRepublishMs: 10 * MINUTE
})

/** Defaults overlaid with `overrides`; throws RangeError on values the path layer cannot use. */
export function resolvePathSettings (overrides: Partial<PathSettings> = {}): PathSettings {
  const s: PathSettings = { ...DEFAULT_PATH_SETTINGS, trusted: [...DEFAULT_PATH_SETTINGS.trusted], blocklist: [...DEFAULT_PATH_SETTINGS.blocklist], ...overrides }
  const int = (name: keyof PathSettings, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const v = s[name]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RangeError(`path.${name}: must be an integer in ${min}..${max}`)
  }
  int('x', 2, 10)
  int('extraY', 0, 8)
  if (s.x + 2 * s.x - 1 + s.extraY > 30) throw new RangeError('path: x + 2x−1 + extraY must not exceed 30 ring members')
  int('exitCount', 0, 16)
  int('entryCount', 0, 8)
  int('rotateAfterMs', 1000)
  int('roundTimeoutMs', 100)
  int('maxConcurrentSetups', 1, 100_000)
  int('maxSetupsPerPeer', 1, 100_000)
  int('setupStateTtlMs', 100)
  int('maxRelayedPaths', 1, 1_000_000)
  int('keyCount', 1, 0xffff)
  int('suspectForMs', 0)
  int('retryBackoffMinMs', 1)
  int('retryBackoffMaxMs', 1)
  int('apRecordLifetimeMs', 1000, 60 * MINUTE)
  int('apRecordRepublishMs', 1000)
  return s
}
