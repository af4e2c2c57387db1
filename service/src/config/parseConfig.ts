import { ConfigError } from './configError.js'
import { CONFIG_RELATIONS, CONFIG_SCHEMA } from './configSchema.js'
import { validateAndFillDefaults } from './configValidator.js'
import { formatDuration, parseDuration } from './duration.js'
import { formatField } from './fieldName.js'
import type { LogLevel, PhantomConfig } from './phantomConfig.js'
import { YamlSource } from './yamlSource.js'

/** Configuration files larger than this are refused before parsing. */
export const MAX_CONFIG_BYTES = 1024 * 1024

/** The configuration file's content after validation, defaults filled in, durations still strings. */
interface RawConfig {
  dataDir: string
  controlSocket: string
  listen: string[]
  announce: string[]
  bootstrap: string[]
  seedFiles: string[]
  mdns: boolean
  network: { allowPrivateAddresses: boolean, reachable: boolean }
  peerCache: { size: number }
  log: { level: LogLevel }
  keys: { pathBuildingKeyRotation: string, pathBuildingKeyGrace: string }
  netdb: { nodeRecordLifetime: string, republishInterval: string, queryResponders: number }
  path: {
    x: number
    extraY: number
    count: { exit: number, entry: number }
    rotateAfter: string
    setupTimeout: string
    setupStateTtl: string
    maxConcurrentSetups: number
    diversity: boolean
    trusted: string[]
    blocklist: string[]
  }
  tun: { enabled: boolean, name: string, mtu: number, ipv4: { enabled: boolean, prefix: string } }
  ap: { expose: number[], answerPing: boolean }
  dns: { enabled: boolean, listen: string, hostsFile: string }
  socks: { enabled: boolean, listen: string }
  session: { streamIdleTimeout: string }
  services: Array<{ port: number, target: string }>
}

/**
 * Parses and validates the text of a configuration file. `fileName` is used
 * in error messages only. Throws ConfigError, never anything else.
 */
export function parseConfig (text: string, fileName: string): PhantomConfig {
  try {
    return parseConfigUnguarded(text, fileName)
  } catch (err) {
    if (err instanceof ConfigError) throw err
    // A library failing on hostile input (e.g. exhausting the stack) must still end as one clear line.
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err)
    throw new ConfigError({ file: fileName, problem: `cannot be parsed: ${reason ?? 'unknown error'}` })
  }
}

/** The configuration used when no file is given: every option at its default. */
export function defaultConfig (): PhantomConfig {
  const raw: Record<string, unknown> = {}
  const violations = validateAndFillDefaults(raw)
  if (violations.length > 0) throw new Error(`the configuration defaults do not satisfy the schema: ${violations[0]?.problem ?? ''}`)
  return resolve(raw as unknown as RawConfig)
}

function parseConfigUnguarded (text: string, file: string): PhantomConfig {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_CONFIG_BYTES) {
    throw new ConfigError({ file, problem: `file too large (${bytes} bytes; a configuration file may have at most ${MAX_CONFIG_BYTES})` })
  }
  const source = YamlSource.parse(text, file)
  let value = source.value
  if (value === null || value === undefined) value = {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    const got = Array.isArray(value) ? 'a list' : `a single value ${JSON.stringify(String(value).slice(0, 40))}`
    const line = source.topLine()
    throw new ConfigError({ file, problem: `expected a mapping of options (such as "log:" on its own line) at the top level, got ${got}`, ...(line === undefined ? {} : { line }) })
  }
  emptySectionsToObjects(value as Record<string, unknown>)

  const violations = validateAndFillDefaults(value)
  if (violations.length > 0) {
    // Report the violation that comes first in the file.
    const placed = violations.map((v) => ({ ...v, line: source.lineOf(v.path) }))
    placed.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity))
    const first = placed[0] as (typeof placed)[number]
    throw new ConfigError({ file, field: formatField(first.path), problem: first.problem, ...(first.line === undefined ? {} : { line: first.line }) })
  }
  const raw = value as RawConfig
  checkRelations(raw, source, file)
  checkServicePorts(raw, source, file)
  return resolve(raw)
}

/** `network:` with nothing under it (all its options commented out) means the section's defaults. */
function emptySectionsToObjects (value: Record<string, unknown>): void {
  for (const [key, schema] of Object.entries(CONFIG_SCHEMA.properties)) {
    if (schema.type === 'object' && Object.hasOwn(value, key) && value[key] === null) value[key] = {}
  }
}

function checkRelations (raw: RawConfig, source: YamlSource, file: string): void {
  const durationAt = (path: readonly [string, string]): number =>
    parseDuration((raw as unknown as Record<string, Record<string, string>>)[path[0]]?.[path[1]] ?? '') as number
  for (const relation of CONFIG_RELATIONS) {
    const smaller = durationAt(relation.smaller)
    const larger = durationAt(relation.larger)
    if (relation.strict ? smaller < larger : smaller <= larger) continue
    // Point at whichever of the two is written in the file (the smaller one if both are).
    const blameSmaller = source.has(relation.smaller) || !source.has(relation.larger)
    const path = blameSmaller ? relation.smaller : relation.larger
    const line = source.lineOf(path)
    const problem = blameSmaller
      ? `expected a duration ${relation.strict ? 'less than' : 'at most'} ${formatField(relation.larger)} (${formatDuration(larger)}), got ${formatDuration(smaller)}`
      : `expected a duration ${relation.strict ? 'greater than' : 'at least'} ${formatField(relation.smaller)} (${formatDuration(smaller)}), got ${formatDuration(larger)}`
    throw new ConfigError({ file, field: formatField(path), problem, ...(line === undefined ? {} : { line }) })
  }
}

/** Each AP port is mapped once. */
function checkServicePorts (raw: RawConfig, source: YamlSource, file: string): void {
  const seen = new Map<number, number>()
  raw.services.forEach((service, i) => {
    const earlier = seen.get(service.port)
    if (earlier !== undefined) {
      const path = ['services', i, 'port']
      const line = source.lineOf(path)
      throw new ConfigError({ file, field: formatField(path), problem: `port ${service.port} is already mapped by ${formatField(['services', earlier])}`, ...(line === undefined ? {} : { line }) })
    }
    seen.set(service.port, i)
  })
}

/** Converts a validated file content into the daemon's typed configuration. */
function resolve (raw: RawConfig): PhantomConfig {
  const ms = (text: string): number => parseDuration(text) as number
  return {
    dataDir: raw.dataDir,
    controlSocket: raw.controlSocket,
    listen: [...raw.listen],
    announce: [...raw.announce],
    bootstrap: [...raw.bootstrap],
    seedFiles: [...raw.seedFiles],
    mdns: raw.mdns,
    network: { allowPrivateAddresses: raw.network.allowPrivateAddresses, reachable: raw.network.reachable },
    peerCache: { size: raw.peerCache.size },
    log: { level: raw.log.level },
    keys: {
      pathBuildingKeyRotationMs: ms(raw.keys.pathBuildingKeyRotation),
      pathBuildingKeyGraceMs: ms(raw.keys.pathBuildingKeyGrace)
    },
    netdb: {
      nodeRecordLifetimeMs: ms(raw.netdb.nodeRecordLifetime),
      republishIntervalMs: ms(raw.netdb.republishInterval),
      queryResponders: raw.netdb.queryResponders
    },
    path: {
      x: raw.path.x,
      extraY: raw.path.extraY,
      count: { exit: raw.path.count.exit, entry: raw.path.count.entry },
      rotateAfterMs: ms(raw.path.rotateAfter),
      setupTimeoutMs: ms(raw.path.setupTimeout),
      setupStateTtlMs: ms(raw.path.setupStateTtl),
      maxConcurrentSetups: raw.path.maxConcurrentSetups,
      diversity: raw.path.diversity,
      trusted: [...raw.path.trusted],
      blocklist: [...raw.path.blocklist]
    },
    tun: { enabled: raw.tun.enabled, name: raw.tun.name, mtu: raw.tun.mtu, ipv4: { enabled: raw.tun.ipv4.enabled, prefix: raw.tun.ipv4.prefix } },
    ap: { expose: [...raw.ap.expose], answerPing: raw.ap.answerPing },
    dns: { enabled: raw.dns.enabled, listen: raw.dns.listen, hostsFile: raw.dns.hostsFile },
    socks: { enabled: raw.socks.enabled, listen: raw.socks.listen },
    session: { streamIdleTimeoutMs: ms(raw.session.streamIdleTimeout) },
    services: raw.services.map((s) => ({ port: s.port, target: s.target }))
  }
}
