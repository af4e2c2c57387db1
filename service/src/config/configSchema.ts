import { LOG_LEVELS } from './phantomConfig.js'
import { DEFAULT_PATH_SETTINGS } from '../path/service/pathDefaults.js'
import { formatDuration } from './duration.js'
import { STREAM_IDLE_TIMEOUT_MS } from '../session/sessionLimits.js'

/**
 * The JSON Schema of /etc/phantom/phantom.yaml, and the ONE place where the
 * defaults live (`default`). docs/configuration.md and etc/phantom.yaml are
 * checked against it by the tests in test/config/.
 *
 * Custom keywords (registered in configValidator.ts):
 * - `phantomAbsolutePath: true`: a string that is an absolute file system path;
 * - `phantomDuration: { minimum, maximum }`: a duration string (duration.ts)
 *   within the bounds, which are durations themselves;
 * - `phantomMultiaddr: 'listen' | 'announce' | 'bootstrap'`: a multiaddr fit
 *   for that use (multiaddrCheck.ts);
 * - `phantomPeerId: true`: a libp2p peer ID in its canonical text form;
 * - `phantomSocketAddress: 'loopback' | 'any'`: "HOST:PORT" with a literal
 *   address (socketAddressCheck.ts);
 * - `phantomIpv4Prefix: true`: "a.b.c.d/len", host bits zero, length 8..24
 *   (tun/ipv4/ipv4Prefix.ts).
 *
 * The defaults of the `path` section are taken from DEFAULT_PATH_SETTINGS
 * (path/service/pathDefaults.ts), which the path layer also uses when it runs
 * without a configuration file (tests, benchmarks), so they exist once.
 *
 * Every object has `additionalProperties: false` and `default: {}`, so that a
 * missing section takes the defaults of its options.
 */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dataDir: {
      description: 'Directory holding the node keys and the peer cache.',
      type: 'string',
      maxLength: 1024,
      phantomAbsolutePath: true,
      default: '/var/lib/phantom'
    },
    controlSocket: {
      description: 'Unix socket of the control interface used by phantomctl.',
      type: 'string',
      maxLength: 107,
      phantomAbsolutePath: true,
      default: '/run/phantom/control.sock'
    },
    listen: {
      description: 'Multiaddrs the node listens on.',
      type: 'array',
      maxItems: 32,
      uniqueItems: true,
      items: { type: 'string', maxLength: 1024, phantomMultiaddr: 'listen' },
      default: ['/ip4/0.0.0.0/tcp/4821']
    },
    announce: {
      description: 'Multiaddrs announced to peers instead of the detected ones (empty: announce the detected addresses).',
      type: 'array',
      maxItems: 32,
      uniqueItems: true,
      items: { type: 'string', maxLength: 1024, phantomMultiaddr: 'announce' },
      default: []
    },
    bootstrap: {
      description: 'Peers dialled at start to join the network, each ending in /p2p/<peer id>.',
      type: 'array',
      maxItems: 256,
      uniqueItems: true,
      items: { type: 'string', maxLength: 1024, phantomMultiaddr: 'bootstrap' },
      default: []
    },
    seedFiles: {
      description: 'Seed files read at start: peer lists (one bootstrap multiaddr per line) whose peers are dialled like bootstrap entries; a missing file is skipped silently.',
      type: 'array',
      maxItems: 16,
      uniqueItems: true,
      items: { type: 'string', maxLength: 1024, phantomAbsolutePath: true },
      default: ['/etc/phantom/seeds.txt', '/run/phantom-seed/seeds.txt']
    },
    mdns: {
      description: 'Find peers on the local network by mDNS.',
      type: 'boolean',
      default: true
    },
    network: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        allowPrivateAddresses: {
          description: 'Dial and announce private, link-local and loopback addresses (for LANs and tests on loopback).',
          type: 'boolean',
          default: false
        },
        reachable: {
          description: 'false: other nodes cannot open connections to this one (NAT or a firewall in the way): it announces no address, runs the DHT as a client, is never chosen for others\' paths, and connects first to the members of its own paths that must reach it.',
          type: 'boolean',
          default: true
        }
      }
    },
    peerCache: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        size: {
          description: 'Most peers remembered across restarts in the peer cache in dataDir (0 turns the cache off).',
          type: 'integer',
          minimum: 0,
          maximum: 100000,
          default: 1000
        }
      }
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: {
          description: 'Least severe level logged.',
          type: 'string',
          enum: [...LOG_LEVELS],
          default: 'info'
        }
      }
    },
    keys: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        pathBuildingKeyRotation: {
          description: 'How often the path-building key is replaced.',
          type: 'string',
          phantomDuration: { minimum: '1m', maximum: '7d' },
          default: '24h'
        },
        pathBuildingKeyGrace: {
          description: 'How long the previous path-building secret still opens setup packages after a rotation.',
          type: 'string',
          phantomDuration: { minimum: '0s', maximum: '7d' },
          default: '1h'
        }
      }
    },
    netdb: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        nodeRecordLifetime: {
          description: 'How long a published node record stays valid.',
          type: 'string',
          phantomDuration: { minimum: '1m', maximum: '2h' },
          default: '1h'
        },
        republishInterval: {
          description: 'How often the node republishes its node record.',
          type: 'string',
          phantomDuration: { minimum: '10s', maximum: '2h' },
          default: '20m'
        },
        queryResponders: {
          description: 'How many responders a DHT read asks before keeping the best valid record.',
          type: 'integer',
          minimum: 1,
          maximum: 20,
          default: 3
        }
      }
    },
    path: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        x: {
          description: 'X-nodes per routing path (its length).',
          type: 'integer',
          minimum: 2,
          maximum: 7,
          default: DEFAULT_PATH_SETTINGS.x
        },
        extraY: {
          description: 'Most extra Y-nodes beyond the 2x-1 every setup uses; each build adds a random number from 0 to this.',
          type: 'integer',
          minimum: 0,
          maximum: 8,
          default: DEFAULT_PATH_SETTINGS.extraY
        },
        count: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            exit: {
              description: 'Exit paths kept ready.',
              type: 'integer',
              minimum: 0,
              maximum: 16,
              default: DEFAULT_PATH_SETTINGS.exitCount
            },
            entry: {
              description: 'Entry paths kept ready (they publish the node\'s AP record).',
              type: 'integer',
              minimum: 0,
              maximum: 16,
              default: DEFAULT_PATH_SETTINGS.entryCount
            }
          }
        },
        rotateAfter: {
          description: 'A ready path is replaced after this long (its replacement is built first).',
          type: 'string',
          phantomDuration: { minimum: '1m', maximum: '1d' },
          default: formatDuration(DEFAULT_PATH_SETTINGS.rotateAfterMs)
        },
        setupTimeout: {
          description: 'How long the owner waits for each setup round and for the ready block before it rebuilds with other nodes.',
          type: 'string',
          phantomDuration: { minimum: '1s', maximum: '5m' },
          default: formatDuration(DEFAULT_PATH_SETTINGS.roundTimeoutMs)
        },
        setupStateTtl: {
          description: 'How long a ring member keeps the state of a setup it takes part in.',
          type: 'string',
          phantomDuration: { minimum: '5s', maximum: '10m' },
          default: formatDuration(DEFAULT_PATH_SETTINGS.setupStateTtlMs)
        },
        maxConcurrentSetups: {
          description: 'Setups this node takes part in at once as a ring member; more are dropped.',
          type: 'integer',
          minimum: 1,
          maximum: 4096,
          default: DEFAULT_PATH_SETTINGS.maxConcurrentSetups
        },
        diversity: {
          description: 'Never put two nodes of one IPv4 /16 or IPv6 /48 in one path (false only for networks on one machine or one LAN).',
          type: 'boolean',
          default: DEFAULT_PATH_SETTINGS.diversity
        },
        trusted: {
          description: 'Peer IDs of trusted nodes; when set, every path has at least one of them.',
          type: 'array',
          maxItems: 64,
          uniqueItems: true,
          items: { type: 'string', maxLength: 128, phantomPeerId: true },
          default: [...DEFAULT_PATH_SETTINGS.trusted]
        },
        blocklist: {
          description: 'Peer IDs never used in a path.',
          type: 'array',
          maxItems: 10000,
          uniqueItems: true,
          items: { type: 'string', maxLength: 128, phantomPeerId: true },
          default: [...DEFAULT_PATH_SETTINGS.blocklist]
        }
      }
    },
    tun: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: {
          description: 'Create the TUN interface that carries IPv6 packets to AP addresses (needs CAP_NET_ADMIN; without it the node runs without one and says why).',
          type: 'boolean',
          default: true
        },
        name: {
          description: 'Name of the TUN interface.',
          type: 'string',
          pattern: '^[A-Za-z0-9_.-]{1,15}$',
          maxLength: 15,
          default: 'phantom0'
        },
        mtu: {
          description: 'MTU of the TUN interface; large, because the cost is per packet. Packets above it get ICMPv6 Packet Too Big from the kernel.',
          type: 'integer',
          minimum: 1280,
          maximum: 65273,
          default: 65273
        },
        ipv4: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: {
              description: 'Serve IPv4-only programs: AP addresses mapped on demand to local addresses of tun.ipv4.prefix (DNS A answers), packets translated to and from IPv6 on this host.',
              type: 'boolean',
              default: true
            },
            prefix: {
              description: 'Local IPv4 prefix of the mapping, routed into the TUN interface; its first address is the node\'s own.',
              type: 'string',
              maxLength: 18,
              phantomIpv4Prefix: true,
              default: '100.64.0.0/10'
            }
          }
        }
      }
    },
    ap: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        expose: {
          description: 'TCP and UDP ports of the node\'s AP address that accept new connections through the TUN interface; every other port refuses them (replies to connections this node opened always pass).',
          type: 'array',
          maxItems: 1024,
          uniqueItems: true,
          items: { type: 'integer', minimum: 1, maximum: 65535 },
          default: []
        },
        answerPing: {
          description: 'Answer ICMPv6 echo requests to the AP address (only peers with a session can send one).',
          type: 'boolean',
          default: true
        }
      }
    },
    dns: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: {
          description: 'Run the .phantom resolver: AAAA answers for .phantom names and petnames, every other name refused, nothing ever forwarded.',
          type: 'boolean',
          default: true
        },
        listen: {
          description: 'Where the resolver listens (UDP and TCP): a loopback HOST:PORT. Port 53 needs CAP_NET_BIND_SERVICE (the packaged unit has it).',
          type: 'string',
          maxLength: 64,
          phantomSocketAddress: 'loopback',
          default: '127.0.80.53:53'
        },
        hostsFile: {
          description: 'Petnames: lines of an AP address or .phantom name followed by names ending in .phantom; a missing file means none.',
          type: 'string',
          maxLength: 1024,
          phantomAbsolutePath: true,
          default: '/etc/phantom/hosts'
        }
      }
    },
    socks: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: {
          description: 'Run the SOCKS5 proxy: CONNECT to AP addresses and .phantom names only, everything else refused.',
          type: 'boolean',
          default: true
        },
        listen: {
          description: 'Where the SOCKS5 proxy listens: a loopback address and port (it has no authentication).',
          type: 'string',
          maxLength: 64,
          phantomSocketAddress: 'loopback',
          default: '127.0.0.1:9080'
        }
      }
    },
    session: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        streamIdleTimeout: {
          description: 'Reset a stream (a SOCKS5 connection, or a connection to a mapped service) that carried no data either way for this long; 0s = never. Traffic over phantom0 does not use streams.',
          type: 'string',
          phantomDuration: { minimum: '0s', maximum: '7d' },
          default: formatDuration(STREAM_IDLE_TIMEOUT_MS)
        }
      }
    },
    services: {
      description: 'Ports of this node\'s AP address mapped to local TCP services; every other port refuses connections.',
      type: 'array',
      maxItems: 64,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['port', 'target'],
        properties: {
          port: {
            description: 'Port on the AP address.',
            type: 'integer',
            minimum: 1,
            maximum: 65535
          },
          target: {
            description: 'Local TCP service the port leads to, HOST:PORT with a literal address.',
            type: 'string',
            maxLength: 64,
            phantomSocketAddress: 'any'
          }
        }
      }
    }
  }
} as const

/**
 * Relations between two duration options that the schema cannot express:
 * `smaller` must be less than (or, unless `strict`, equal to) `larger`.
 */
export interface DurationRelation {
  smaller: readonly [string, string]
  larger: readonly [string, string]
  strict: boolean
}

export const CONFIG_RELATIONS: readonly DurationRelation[] = [
  { smaller: ['netdb', 'republishInterval'], larger: ['netdb', 'nodeRecordLifetime'], strict: true },
  { smaller: ['keys', 'pathBuildingKeyGrace'], larger: ['keys', 'pathBuildingKeyRotation'], strict: false },
  { smaller: ['path', 'setupTimeout'], larger: ['path', 'setupStateTtl'], strict: false }
]
