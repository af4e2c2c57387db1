/** Log levels, most severe first; a level includes every level before it. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const
export type LogLevel = typeof LOG_LEVELS[number]

/**
 * The daemon's configuration, fully resolved: every option present, defaults
 * applied, durations converted to whole milliseconds (fields ending in `Ms`;
 * in the file the same option has no suffix, e.g. `netdb.republishInterval: 20m`).
 * Built only by parseConfig/loadConfig/defaultConfig; the defaults live in
 * configSchema.ts.
 */
export interface PhantomConfig {
  /** Keys and peer cache (absolute path). */
  dataDir: string
  /** Unix socket of the control interface used by phantomctl (absolute path). */
  controlSocket: string
  /** Multiaddrs to listen on. */
  listen: string[]
  /** Multiaddrs announced to peers instead of the detected ones (empty: detected). */
  announce: string[]
  /** Peers dialled at start, each ending in /p2p/<peer id>. */
  bootstrap: string[]
  /** Seed files (absolute paths): peer lists dialled at start like `bootstrap`; missing ones are skipped. */
  seedFiles: string[]
  /** Discover peers on the local network by mDNS. */
  mdns: boolean
  network: {
    /** Dial and announce private, link-local and loopback addresses (LANs, tests). */
    allowPrivateAddresses: boolean
    /** false: nobody can dial this node; it announces no address and runs the DHT as a client. */
    reachable: boolean
  }
  peerCache: {
    /** Most peers remembered in the peer cache in dataDir (0 disables it). */
    size: number
  }
  log: {
    level: LogLevel
  }
  keys: {
    /** Path-building key rotation period (PROTOCOL.md §2). */
    pathBuildingKeyRotationMs: number
    /** How long the previous path-building secret still opens setup packages; at most the rotation period. */
    pathBuildingKeyGraceMs: number
  }
  netdb: {
    /** Validity of a published node record. */
    nodeRecordLifetimeMs: number
    /** Interval between republications of the node record; less than the lifetime. */
    republishIntervalMs: number
    /** Responders a DHT read asks before keeping the best valid record. */
    queryResponders: number
  }
  path: {
    x: number
    extraY: number
    count: { exit: number, entry: number }
    rotateAfterMs: number
    setupTimeoutMs: number
    setupStateTtlMs: number
    maxConcurrentSetups: number
    diversity: boolean
    trusted: string[]
    blocklist: string[]
  }
  tun: {
    /** Create the TUN interface (needs CAP_NET_ADMIN). */
    enabled: boolean
    name: string
    mtu: number
    /** IPv4-only programs: AP addresses mapped to addresses of `prefix`, packets translated on this host. */
    ipv4: { enabled: boolean, prefix: string }
  }
  ap: {
    /** TCP/UDP ports of the AP address open to new inbound connections through the TUN interface. */
    expose: number[]
    answerPing: boolean
  }
  dns: {
    /** Run the .phantom resolver. */
    enabled: boolean
    /** Loopback HOST:PORT (UDP and TCP). */
    listen: string
    /** Petnames file (absolute path). */
    hostsFile: string
  }
  socks: {
    /** Run the SOCKS5 proxy. */
    enabled: boolean
    /** Loopback HOST:PORT it listens on. */
    listen: string
  }
  session: {
    /** Reset a stream idle this long (T§7.3); 0 = never. */
    streamIdleTimeoutMs: number
  }
  /** AP-address ports mapped to local TCP services (HOST:PORT). */
  services: Array<{ port: number, target: string }>
}
