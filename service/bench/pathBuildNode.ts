/**
 * One relay node of the path benchmark as a separate process: a bare libp2p
 * host on loopback with a PathService taking part in setups and links. Prints
 * one JSON line (peerId, addresses, path-building public key), runs until its
 * stdin closes, then stops.
 */
import { x25519Generate } from '../src/crypto/index.js'
import { createLogger } from '../src/logging/logger.js'
import { PathService } from '../src/path/service/index.js'
import { createLabHost } from '../test/path/network/pathLab.js'

const host = await createLabHost()
const pbk = x25519Generate()
const service = new PathService({
  host,
  usablePbkKeys: () => [pbk],
  sampleNodes: async () => [],
  putRecord: async () => 0,
  log: createLogger('error')
}, { diversity: false })
await service.startRelay()
process.stdout.write(JSON.stringify({ peerId: host.peerId.toString(), addrs: host.getMultiaddrs().map(String), pbk: pbk.publicKey.toString('hex') }) + '\n')
process.stdin.resume()
process.stdin.on('end', () => {
  void service.stop().then(async () => { await host.stop() }).finally(() => { process.exit(0) })
})
