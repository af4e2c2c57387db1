import { parseListenAddress } from '../socks/loopbackListenAddress.js'
import type { PhantomConfig } from '../config/phantomConfig.js'
import type { NodeSettings } from './nodeSettings.js'

/** The node's settings from a validated configuration. */
export function settingsFromConfig (config: PhantomConfig): NodeSettings {
  return {
    dataDir: config.dataDir,
    controlSocket: config.controlSocket,
    listen: config.listen,
    announce: config.announce,
    bootstrap: config.bootstrap,
    seedFiles: config.seedFiles,
    mdns: config.mdns,
    allowPrivateAddresses: config.network.allowPrivateAddresses,
    reachable: config.network.reachable,
    peerCacheSize: config.peerCache.size,
    pathBuildingKeyRotationMs: config.keys.pathBuildingKeyRotationMs,
    pathBuildingKeyGraceMs: config.keys.pathBuildingKeyGraceMs,
    nodeRecordLifetimeMs: config.netdb.nodeRecordLifetimeMs,
    nodeRecordRepublishIntervalMs: config.netdb.republishIntervalMs,
    queryResponders: config.netdb.queryResponders,
    logLevel: config.log.level,
    path: {
      x: config.path.x,
      extraY: config.path.extraY,
      exitCount: config.path.count.exit,
      entryCount: config.path.count.entry,
      rotateAfterMs: config.path.rotateAfterMs,
      roundTimeoutMs: config.path.setupTimeoutMs,
      setupStateTtlMs: config.path.setupStateTtlMs,
      maxConcurrentSetups: config.path.maxConcurrentSetups,
      diversity: config.path.diversity,
      trusted: config.path.trusted,
      blocklist: config.path.blocklist
    },
    tun: { ...config.tun, ipv4: { ...config.tun.ipv4 } },
    ap: { expose: [...config.ap.expose], answerPing: config.ap.answerPing },
    dns: { ...config.dns },
    socks: { enabled: config.socks.enabled, listen: config.socks.listen },
    session: { streamIdleTimeoutMs: config.session.streamIdleTimeoutMs },
    services: config.services.map(({ port, target }) => {
      const { host, port: targetPort } = parseListenAddress(target)
      return { port, host, targetPort }
    })
  }
}
