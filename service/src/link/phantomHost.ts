import { createLibp2p, type Libp2p, type Libp2pOptions } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { bootstrap } from '@libp2p/bootstrap'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper, type KadDHT, type Selectors, type Validators } from '@libp2p/kad-dht'
import { MemoryDatastore } from 'datastore-core/memory'
import type { Datastore } from 'interface-datastore'
import type { Identify } from '@libp2p/identify'
import type { Ping } from '@libp2p/ping'
import type { PrivateKey } from '@libp2p/interface'
import { PHANTOM_KAD_PROTOCOL } from './phantomProtocols.js'
import { filterAllowedAddresses, isAllowedAddress, type AddressPolicy } from './addressPolicy.js'
import { linkLocalIPv4Addresses, withLinkLocalAddresses } from './linkLocalAddresses.js'
import { lanDiscovery } from './lanDiscovery.js'
import { LOOPBACK_NETWORKS } from './loopbackNetworks.js'
import { CONNECTION_MONITOR } from './linkLiveness.js'
import { phantomYamux } from './yamuxSettings.js'
import { coalescedNoise } from './coalescedNoise.js'
import { OperatorNames } from './operatorNames.js'
import { silentLogger } from '../logging/logger.js'

export interface PhantomHostServices {
  identify: Identify
  ping: Ping
  dht: KadDHT
  [key: string]: unknown
}

export type PhantomHost = Libp2p<PhantomHostServices>

export interface PhantomHostOptions extends AddressPolicy {
  privateKey: PrivateKey
  listen: string[]
  announce: string[]
  bootstrap: string[]
  mdns: boolean
  /**
   * false: nobody can open a connection to this node (NAT, a firewall). It then
   * announces no address at all (identify, node record, seed export) and runs
   * the DHT as a client, so peers neither list it nor try to dial it. Default true.
   */
  reachable?: boolean
  validators: Validators
  selectors: Selectors
  datastore?: Datastore
  /** The DNS names the operator wrote, the only ones looked up when dialling; none by default. */
  operatorNames?: OperatorNames
  /** false: create stopped, so the caller can listen for events (identify, discovery) before the first dial; then `host.start()`. */
  start?: boolean
}

/**
 * The link layer (PROTOCOL.md §5): TCP, Noise XX, yamux, identify, ping, and
 * kad-dht on the Phantom network's own protocol ID, never the public IPFS DHT
 * (in server mode, unless the node is configured as not reachable).
 */
export async function createPhantomHost (options: PhantomHostOptions): Promise<PhantomHost> {
  const policy: AddressPolicy = { allowPrivateAddresses: options.allowPrivateAddresses, ipv4MappingPrefix: options.ipv4MappingPrefix ?? null }
  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = []
  if (options.bootstrap.length > 0) peerDiscovery.push(bootstrap({ list: options.bootstrap, timeout: 100 }))
  if (options.mdns) peerDiscovery.push(lanDiscovery({ interval: 10_000 }))

  return await createLibp2p({
    start: options.start ?? true,
    privateKey: options.privateKey,
    datastore: options.datastore ?? new MemoryDatastore(),
    addresses: {
      listen: options.listen,
      announce: options.announce,
      // On a LAN (allowPrivateAddresses) also announce the IPv4 link-local
      // addresses libp2p leaves out of a wildcard listener, read from the
      // interfaces at every call: a LAN without DHCP has nothing else.
      announceFilter: options.reachable === false
        ? () => []
        : options.allowPrivateAddresses && options.announce.length === 0
          ? (addrs) => filterAllowedAddresses(withLinkLocalAddresses(addrs, options.listen, linkLocalIPv4Addresses()), policy)
          : (addrs) => filterAllowedAddresses(addrs, policy)
    },
    connectionManager: {
      allow: [...LOOPBACK_NETWORKS],
      // replaces libp2p's /dnsaddr resolver: only the operator's /dns, /dns4 and /dns6 names are looked
      // up, into IP addresses the gater then checks; every other name is refused unresolved (operatorNames.ts)
      resolvers: { operatorNames: (options.operatorNames ?? new OperatorNames(policy, silentLogger)).resolver() }
    },
    // a slow but live peer must not lose its connections, and with them its paths (linkLiveness.ts)
    connectionMonitor: CONNECTION_MONITOR,
    transports: [tcp()],
    // Noise's primitives on libsodium (sodium-native), each send one transport write without copies: same wire (coalescedNoise.ts)
    connectionEncrypters: [coalescedNoise()],
    // stream windows within the read buffer limit, so back-pressure never resets a tunnel (yamuxSettings.ts)
    streamMuxers: [phantomYamux()],
    connectionGater: {
      denyDialMultiaddr: (ma) => !isAllowedAddress(ma, policy)
    },
    peerDiscovery,
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: PHANTOM_KAD_PROTOCOL,
        // a node nobody can dial only queries: as a server it would be listed in routing tables and dialled in vain
        clientMode: options.reachable === false,
        validators: options.validators,
        selectors: options.selectors,
        peerInfoMapper: options.allowPrivateAddresses ? passthroughMapper : removePrivateAddressesMapper,
        initialQuerySelfInterval: 500,
        allowQueryWithZeroPeers: true
      })
    }
  })
}
