import type { ExposedService } from '../session/service/exposedServices.js'
import type { TunnelSettings } from '../tunnel/service/tunnelRuntime.js'
import type { LogLevel } from '../logging/logger.js'
import type { PathSettings } from '../path/service/pathDefaults.js'

/** What a running node needs to know, resolved from the configuration file (config/) by the CLI. */
export interface NodeSettings {
  dataDir: string
  controlSocket: string
  listen: string[]
  announce: string[]
  bootstrap: string[]
  /** Seed files (peer lists) read at start; their peers are dialled like `bootstrap`. None when absent. */
  seedFiles?: string[]
  mdns: boolean
  allowPrivateAddresses: boolean
  /** false: announce no address, DHT client mode (nobody can dial this node). Default true. */
  reachable?: boolean
  peerCacheSize: number
  pathBuildingKeyRotationMs: number
  pathBuildingKeyGraceMs: number
  nodeRecordLifetimeMs: number
  nodeRecordRepublishIntervalMs: number
  queryResponders: number
  logLevel: LogLevel
  /** Routing paths; anything not given takes DEFAULT_PATH_SETTINGS. */
  path: Partial<PathSettings>
  tun: { enabled: boolean, name: string, mtu: number, ipv4: { enabled: boolean, prefix: string } }
  ap: { expose: number[], answerPing: boolean }
  dns: { enabled: boolean, listen: string, hostsFile: string }
  socks: { enabled: boolean, listen: string }
  /** Ports of the node's AP address mapped to local TCP services. */
  services: ExposedService[]
  /** Sessions; absent: the session layer's defaults (sessionLimits.ts). */
  session?: { streamIdleTimeoutMs: number }
  /** Routing tunnels; anything not given takes DEFAULT_TUNNEL_SETTINGS (tests shorten timeouts). */
  tunnel?: Partial<TunnelSettings>
}
