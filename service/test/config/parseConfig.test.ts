import assert from 'node:assert/strict'
import { CONFIG_ERROR_EXIT_CODE, ConfigError, DEFAULT_CONFIG_PATH, defaultConfig, listConfigOptions, MAX_CONFIG_BYTES, parseConfig } from '../../src/config/index.js'
import { expectParseError, FILE, PEER_ID } from './configErrorAssertions.js'

const EVERY_OPTION_CHANGED = `
dataDir: /srv/phantom
controlSocket: /tmp/phantom-test/control.sock
listen:
  - /ip4/127.0.0.1/tcp/0
  - /ip6/::1/tcp/4822
announce: [/ip4/203.0.113.7/tcp/4821, /ip6/2001:db8::7/tcp/4821]
bootstrap:
  - /ip4/192.0.2.1/tcp/4821/p2p/${PEER_ID}
  - /dns4/seed.example/tcp/4821/p2p/${PEER_ID}
seedFiles: [/media/stick/seeds.txt]
mdns: false
network:
  allowPrivateAddresses: true
  reachable: false
peerCache:
  size: 0
log:
  level: debug
keys:
  pathBuildingKeyRotation: 12h
  pathBuildingKeyGrace: 30m
netdb:
  nodeRecordLifetime: 2h
  republishInterval: 1h30m
  queryResponders: 20
path:
  x: 4
  extraY: 0
  count:
    exit: 1
    entry: 0
  rotateAfter: 2h
  setupTimeout: 10s
  setupStateTtl: 20s
  maxConcurrentSetups: 8
  diversity: false
  trusted: [${PEER_ID}]
  blocklist: [${PEER_ID}]
tun:
  enabled: false
  name: tun7
  mtu: 9000
  ipv4:
    enabled: false
    prefix: 10.99.0.0/16
ap:
  expose: [22, 8080]
  answerPing: false
dns:
  enabled: false
  listen: 127.0.0.1:5353
  hostsFile: /srv/phantom/hosts
socks:
  enabled: false
  listen: '[::1]:1080'
session:
  streamIdleTimeout: 0s
services:
  - port: 80
    target: 127.0.0.1:8080
  - {port: 22, target: '[fd00::5]:22'}
`

describe('config parsing: valid files', () => {
  it('exports the fixed constants', () => {
    assert.equal(DEFAULT_CONFIG_PATH, '/etc/phantom/phantom.yaml')
    assert.equal(CONFIG_ERROR_EXIT_CODE, 78)
    assert.equal(MAX_CONFIG_BYTES, 1024 * 1024)
  })

  it('has the documented defaults', () => {
    assert.deepEqual(defaultConfig(), {
      dataDir: '/var/lib/phantom',
      controlSocket: '/run/phantom/control.sock',
      listen: ['/ip4/0.0.0.0/tcp/4821'],
      announce: [],
      bootstrap: [],
      seedFiles: ['/etc/phantom/seeds.txt', '/run/phantom-seed/seeds.txt'],
      mdns: true,
      network: { allowPrivateAddresses: false, reachable: true },
      peerCache: { size: 1000 },
      log: { level: 'info' },
      keys: { pathBuildingKeyRotationMs: 24 * 3_600_000, pathBuildingKeyGraceMs: 3_600_000 },
      netdb: { nodeRecordLifetimeMs: 3_600_000, republishIntervalMs: 20 * 60_000, queryResponders: 3 },
      path: { x: 3, extraY: 2, count: { exit: 2, entry: 2 }, rotateAfterMs: 3_600_000, setupTimeoutMs: 30_000, setupStateTtlMs: 90_000, maxConcurrentSetups: 64, diversity: true, trusted: [], blocklist: [] },
      tun: { enabled: true, name: 'phantom0', mtu: 65273, ipv4: { enabled: true, prefix: '100.64.0.0/10' } },
      ap: { expose: [], answerPing: true },
      dns: { enabled: true, listen: '127.0.80.53:53', hostsFile: '/etc/phantom/hosts' },
      socks: { enabled: true, listen: '127.0.0.1:9080' },
      session: { streamIdleTimeoutMs: 300_000 },
      services: []
    })
  })

  it('gives a fresh object every time (no shared mutable defaults)', () => {
    const a = defaultConfig()
    a.listen.push('/ip4/127.0.0.1/tcp/1')
    a.network.allowPrivateAddresses = true
    assert.deepEqual(defaultConfig().listen, ['/ip4/0.0.0.0/tcp/4821'])
    assert.equal(defaultConfig().network.allowPrivateAddresses, false)
    const b = parseConfig('', FILE)
    b.listen.push('/ip4/127.0.0.1/tcp/2')
    assert.deepEqual(parseConfig('', FILE).listen, ['/ip4/0.0.0.0/tcp/4821'])
  })

  it('empty files, comment-only files and empty sections mean the defaults', () => {
    for (const text of ['', '\n\n', '# nothing here\n  # indented comment\n', '---\n', '---\n...\n', '\uFEFF# BOM first\n', 'network:\nlog:\n', '{}\n']) {
      assert.deepEqual(parseConfig(text, FILE), defaultConfig(), JSON.stringify(text))
    }
  })

  it('every option can be overridden, durations become milliseconds', () => {
    assert.deepEqual(parseConfig(EVERY_OPTION_CHANGED, FILE), {
      dataDir: '/srv/phantom',
      controlSocket: '/tmp/phantom-test/control.sock',
      listen: ['/ip4/127.0.0.1/tcp/0', '/ip6/::1/tcp/4822'],
      announce: ['/ip4/203.0.113.7/tcp/4821', '/ip6/2001:db8::7/tcp/4821'],
      bootstrap: [`/ip4/192.0.2.1/tcp/4821/p2p/${PEER_ID}`, `/dns4/seed.example/tcp/4821/p2p/${PEER_ID}`],
      seedFiles: ['/media/stick/seeds.txt'],
      mdns: false,
      network: { allowPrivateAddresses: true, reachable: false },
      peerCache: { size: 0 },
      log: { level: 'debug' },
      keys: { pathBuildingKeyRotationMs: 12 * 3_600_000, pathBuildingKeyGraceMs: 30 * 60_000 },
      netdb: { nodeRecordLifetimeMs: 2 * 3_600_000, republishIntervalMs: 90 * 60_000, queryResponders: 20 },
      path: { x: 4, extraY: 0, count: { exit: 1, entry: 0 }, rotateAfterMs: 2 * 3_600_000, setupTimeoutMs: 10_000, setupStateTtlMs: 20_000, maxConcurrentSetups: 8, diversity: false, trusted: [PEER_ID], blocklist: [PEER_ID] },
      tun: { enabled: false, name: 'tun7', mtu: 9000, ipv4: { enabled: false, prefix: '10.99.0.0/16' } },
      ap: { expose: [22, 8080], answerPing: false },
      dns: { enabled: false, listen: '127.0.0.1:5353', hostsFile: '/srv/phantom/hosts' },
      socks: { enabled: false, listen: '[::1]:1080' },
      session: { streamIdleTimeoutMs: 0 },
      services: [{ port: 80, target: '127.0.0.1:8080' }, { port: 22, target: '[fd00::5]:22' }]
    })
  })

  it('the test above really changes every option of the schema', () => {
    const changed = parseConfig(EVERY_OPTION_CHANGED, FILE) as unknown as Record<string, unknown>
    const defaults = defaultConfig() as unknown as Record<string, unknown>
    for (const option of listConfigOptions()) {
      const parts = option.name.split('.')
      const pick = (config: Record<string, unknown>): unknown => {
        let node: Record<string, unknown> = config
        for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>
        const key = parts[parts.length - 1] as string
        return Object.hasOwn(node, key) ? node[key] : node[`${key}Ms`]
      }
      assert.notEqual(pick(changed), undefined, `${option.name} missing from PhantomConfig`)
      assert.notDeepEqual(pick(changed), pick(defaults), `${option.name} not changed by the test`)
    }
  })

  it('keeps the defaults of options a section leaves out', () => {
    const config = parseConfig('netdb:\n  queryResponders: 5\n', FILE)
    assert.equal(config.netdb.queryResponders, 5)
    assert.equal(config.netdb.nodeRecordLifetimeMs, 3_600_000)
    assert.equal(config.netdb.republishIntervalMs, 1_200_000)
  })

  it('accepts the range limits and the relations at their edges', () => {
    const config = parseConfig('peerCache: {size: 100000}\nnetdb: {nodeRecordLifetime: 2h, republishInterval: 119m59s, queryResponders: 1}\nkeys: {pathBuildingKeyRotation: 1h, pathBuildingKeyGrace: 1h}\n', FILE)
    assert.equal(config.peerCache.size, 100000)
    assert.equal(config.netdb.republishIntervalMs, 2 * 3_600_000 - 1000)
    assert.equal(config.keys.pathBuildingKeyGraceMs, config.keys.pathBuildingKeyRotationMs)
    assert.equal(parseConfig('keys: {pathBuildingKeyGrace: 0s}\n', FILE).keys.pathBuildingKeyGraceMs, 0)
  })

  it('accepts the standard tags and a YAML 1.2 integer written as hex or exponent', () => {
    assert.equal(parseConfig('peerCache:\n  size: !!int 0x10\n', FILE).peerCache.size, 16)
    assert.equal(parseConfig('peerCache:\n  size: 1e3\n', FILE).peerCache.size, 1000)
    assert.equal(parseConfig('log: !!map\n  level: !!str warn\n', FILE).log.level, 'warn')
  })
})

describe('config parsing: bad files give one clear ConfigError', () => {
  it('a YAML syntax error names the line and the parser\'s reason', () => {
    const err = expectParseError('log:\n  level: [info\n', { line: 3, says: ['YAML syntax error'] })
    assert.equal(err.field, undefined)
    expectParseError('mdns: true\nlog:\n  level: info\n bad: x\n', { line: 4, says: ['YAML syntax error'] })
    // The parser notices a missing quote where the input ends.
    expectParseError('a: "unterminated\n', { line: 2, says: ['YAML syntax error', 'quote'] })
  })

  it('several documents are a syntax error', () => {
    expectParseError('mdns: true\n---\nmdns: false\n', { line: 2, says: ['multiple documents'] })
  })

  it('a duplicate key names the line of the second one', () => {
    expectParseError('mdns: true\nlog:\n  level: info\nmdns: false\n', { line: 4, field: 'mdns', says: ['duplicate key (first set on line 1)'] })
    expectParseError('log:\n  level: info\n  level: warn\n', { line: 3, field: 'log.level', says: ['duplicate key (first set on line 2)'] })
    expectParseError('log: {level: info, level: info}\n', { line: 1, field: 'log.level', says: ['duplicate key'] })
    expectParseError('listen:\n  - {a: 1, a: 2}\n', { line: 2, field: 'listen[0].a', says: ['duplicate key'] })
  })

  it('an unknown top-level option lists the known ones', () => {
    expectParseError('mdns: true\n\ndatadir: /x\n', {
      line: 3,
      field: 'datadir',
      says: ['unknown option (known options: dataDir, controlSocket, listen, announce, bootstrap, seedFiles, mdns, network, peerCache, log, keys, netdb, path, tun, ap, dns, socks, session, services)']
    })
  })

  it('socks.listen must be a loopback HOST:PORT; services need a port mapped once and a literal target', () => {
    expectParseError('socks:\n  listen: 0.0.0.0:9080\n', { line: 2, field: 'socks.listen', says: ['expected a loopback address'] })
    expectParseError('socks:\n  listen: localhost:9080\n', { line: 2, field: 'socks.listen', says: ['expected HOST:PORT with a literal IP address'] })
    expectParseError('services:\n  - {port: 80, target: "web:80"}\n', { line: 2, field: 'services[0].target', says: ['expected HOST:PORT with a literal IP address'] })
    expectParseError('services:\n  - {port: 0, target: "127.0.0.1:80"}\n', { line: 2, field: 'services[0].port', says: ['expected an integer from 1 to 65535, got 0'] })
    expectParseError('services:\n  - {target: "127.0.0.1:80"}\n', { line: 2, field: 'services[0].port', says: ['missing'] })
    expectParseError('services:\n  - {port: 80, target: "127.0.0.1:80"}\n  - {port: 80, target: "127.0.0.1:81"}\n', { line: 3, field: 'services[1].port', says: ['port 80 is already mapped by services[0]'] })
  })

  it('tun.ipv4.prefix must be an IPv4 prefix of length 8 to 24 without host bits', () => {
    expectParseError('tun:\n  ipv4:\n    prefix: 100.64.0.1/10\n', { line: 3, field: 'tun.ipv4.prefix', says: ['host bits set: the network is 100.64.0.0/10'] })
    expectParseError('tun:\n  ipv4:\n    prefix: 10.0.0.0/28\n', { line: 3, field: 'tun.ipv4.prefix', says: ['prefix length from 8 to 24, got /28'] })
    expectParseError('tun:\n  ipv4:\n    prefix: fd50::/16\n', { line: 3, field: 'tun.ipv4.prefix', says: ['expected an IPv4 prefix such as 100.64.0.0/10'] })
  })

  it('an unknown nested option names the section and its options', () => {
    expectParseError('log:\n  level: info\nnetwork:\n\n  allowPrivateAdresses: true\n', {
      line: 5,
      field: 'network.allowPrivateAdresses',
      says: ['unknown option (known options under network: allowPrivateAddresses, reachable)']
    })
  })

  it('a wrong type says what was expected and what was found', () => {
    expectParseError('mdns: yes\n', { line: 1, field: 'mdns', says: ['expected true or false, got "yes"'] })
    expectParseError('listen: /ip4/0.0.0.0/tcp/1\n', { line: 1, field: 'listen', says: ['expected a list, got "/ip4/0.0.0.0/tcp/1"'] })
    expectParseError('network: true\n', { line: 1, field: 'network', says: ['expected a mapping of options, got true'] })
    expectParseError('peerCache:\n  size: "10"\n', { line: 2, field: 'peerCache.size', says: ['expected an integer from 0 to 100000, got "10"'] })
    expectParseError('peerCache:\n  size: 1.5\n', { line: 2, field: 'peerCache.size', says: ['got 1.5'] })
    expectParseError('dataDir:\n', { line: 1, field: 'dataDir', says: ['expected an absolute path, got nothing'] })
    expectParseError('listen:\n  - /ip4/0.0.0.0/tcp/1\n  - 42\n', { line: 3, field: 'listen[1]', says: ['expected a multiaddr such as /ip4/0.0.0.0/tcp/4821, got 42'] })
    expectParseError('keys:\n  pathBuildingKeyRotation: 3600\n', { line: 2, field: 'keys.pathBuildingKeyRotation', says: ['expected a duration', 'got 3600'] })
  })

  it('a value out of range gives the range', () => {
    expectParseError('peerCache:\n  size: 100001\n', { line: 2, field: 'peerCache.size', says: ['expected an integer from 0 to 100000, got 100001'] })
    expectParseError('peerCache:\n  size: -1\n', { line: 2, field: 'peerCache.size', says: ['from 0 to 100000, got -1'] })
    expectParseError('netdb:\n  queryResponders: 0\n', { line: 2, field: 'netdb.queryResponders', says: ['from 1 to 20, got 0'] })
    expectParseError('path:\n  x: 1\n', { line: 2, field: 'path.x', says: ['from 2 to 7, got 1'] })
    expectParseError('path:\n  count:\n    exit: 17\n', { line: 3, field: 'path.count.exit', says: ['from 0 to 16, got 17'] })
    expectParseError('path:\n  trusted: [12D3KooWAbc]\n', { line: 2, field: 'path.trusted[0]', says: ['expected a peer ID'] })
    expectParseError('path:\n  setupTimeout: 2m\n', { line: 2, field: 'path.setupTimeout', says: ['at most path.setupStateTtl (1m30s), got 2m'] })
    expectParseError('peerCache:\n  size: .nan\n', { line: 2, field: 'peerCache.size', says: ['got NaN'] })
    expectParseError('peerCache:\n  size: .inf\n', { line: 2, field: 'peerCache.size', says: ['got Infinity'] })
    expectParseError('netdb:\n  nodeRecordLifetime: 3h\n', { line: 2, field: 'netdb.nodeRecordLifetime', says: ['expected a duration from 1m to 2h, got "3h"'] })
    expectParseError('netdb:\n  republishInterval: 5s\n', { line: 2, field: 'netdb.republishInterval', says: ['from 10s to 2h'] })
    expectParseError(`controlSocket: /${'s'.repeat(120)}\n`, { line: 1, field: 'controlSocket', says: ['expected at most 107 characters, got 121'] })
    const many = Array.from({ length: 33 }, (_, i) => `  - /ip4/127.0.0.1/tcp/${i + 1}`).join('\n')
    expectParseError(`listen:\n${many}\n`, { line: 1, field: 'listen', says: ['expected at most 32 entries, got 33'] })
  })

  it('a bad enum value lists the allowed ones', () => {
    expectParseError('log:\n  level: verbose\n', { line: 2, field: 'log.level', says: ['expected one of error, warn, info, debug, got "verbose"'] })
    const err = expectParseError('\n\n\n\n\n\n\n\n\n\n\nlog: {level: verbose}\n', { line: 12, field: 'log.level' })
    assert.equal(err.message, '/etc/phantom/phantom.yaml:12: log.level: expected one of error, warn, info, debug, got "verbose"')
  })

  it('a bad multiaddr names the list entry and the reason', () => {
    expectParseError('listen:\n  - /ip4/0.0.0.0/tcp/4821\n  - /ip4/999.0.0.1/tcp/1\n', { line: 3, field: 'listen[1]', says: ['expected a multiaddr', '"/ip4/999.0.0.1/tcp/1"', 'Invalid IPv4 address'] })
    expectParseError('listen: [ip4/0.0.0.0/tcp/1]\n', { line: 1, field: 'listen[0]', says: ['starts with /'] })
    expectParseError('listen: [/ip4/1.2.3.4/tcp/70000]\n', { line: 1, field: 'listen[0]', says: ['expected a multiaddr'] })
    expectParseError('announce: [/nosuchprotocol/1]\n', { line: 1, field: 'announce[0]', says: ['expected a multiaddr'] })
    expectParseError('announce: [/]\n', { line: 1, field: 'announce[0]', says: ['empty multiaddr'] })
    expectParseError(`listen: [/ip4/0.0.0.0/tcp/1/p2p/${PEER_ID}]\n`, { line: 1, field: 'listen[0]', says: ['must not contain /p2p/'] })
  })

  it('a bootstrap entry needs a final /p2p/ with a valid peer id', () => {
    expectParseError('bootstrap:\n  - /ip4/192.0.2.1/tcp/4821\n', { line: 2, field: 'bootstrap[0]', says: ['expected a multiaddr ending in /p2p/<peer id>', 'got "/ip4/192.0.2.1/tcp/4821"'] })
    expectParseError('bootstrap: [/ip4/192.0.2.1/tcp/4821/p2p/12D3KooWAbc]\n', { line: 1, field: 'bootstrap[0]', says: ['"12D3KooWAbc" is not a valid peer id'] })
    expectParseError(`bootstrap: [/p2p/${PEER_ID}]\n`, { line: 1, field: 'bootstrap[0]', says: ['address before /p2p/ is missing'] })
    expectParseError(`bootstrap: [/ip4/192.0.2.1/tcp/4821/p2p/${PEER_ID}/tcp/1]\n`, { line: 1, field: 'bootstrap[0]', says: ['ending in /p2p/'] })
  })

  it('names: looked up for bootstrap (/dns, /dns4, /dns6 but not /dnsaddr), never announced (other nodes do not look them up)', () => {
    expectParseError(`bootstrap: [/dnsaddr/seed.example/p2p/${PEER_ID}]\n`, { line: 1, field: 'bootstrap[0]', says: ['/dnsaddr/ is not supported', 'write /dns4/, /dns6/ or an IP address'] })
    for (const p of ['dns', 'dns4', 'dns6', 'dnsaddr']) {
      expectParseError(`announce: [/ip4/203.0.113.7/tcp/4821, /${p}/node.example/tcp/4821]\n`, { line: 1, field: 'announce[1]', says: ['an announced address must be an IP address', 'other nodes never look up names'] })
    }
  })

  it('seedFiles: absolute paths, distinct, at most 16', () => {
    expectParseError('seedFiles: [seeds.txt]\n', { line: 1, field: 'seedFiles[0]', says: ['absolute path'] })
    expectParseError('seedFiles:\n  - /a\n  - /a\n', { line: 3, field: 'seedFiles[1]', says: ['duplicate entry, the same as seedFiles[0]'] })
    expectParseError(`seedFiles: [${Array.from({ length: 17 }, (_, i) => `/s${i}`).join(', ')}]\n`, { line: 1, field: 'seedFiles', says: ['16'] })
    assert.deepEqual(parseConfig('seedFiles: []\n', FILE).seedFiles, [])
  })

  it('a duplicate list entry points at the second one', () => {
    expectParseError('listen:\n  - /ip4/0.0.0.0/tcp/1\n  - /ip4/0.0.0.0/tcp/2\n  - /ip4/0.0.0.0/tcp/1\n', { line: 4, field: 'listen[2]', says: ['duplicate entry, the same as listen[0]'] })
  })

  it('a bad duration shows the accepted forms', () => {
    expectParseError('keys:\n  pathBuildingKeyGrace: 1 hour\n', { line: 2, field: 'keys.pathBuildingKeyGrace', says: ['expected a duration from 0s to 7d such as 90s, 20m, 1h', 'got "1 hour"'] })
    expectParseError('netdb:\n  republishInterval: 20\n', { line: 2, field: 'netdb.republishInterval', says: ['got 20'] })
  })

  it('relations between options name the one written in the file', () => {
    expectParseError('netdb:\n  republishInterval: 1h\n', { line: 2, field: 'netdb.republishInterval', says: ['expected a duration less than netdb.nodeRecordLifetime (1h), got 1h'] })
    expectParseError('netdb:\n  nodeRecordLifetime: 10m\n', { line: 2, field: 'netdb.nodeRecordLifetime', says: ['expected a duration greater than netdb.republishInterval (20m), got 10m'] })
    expectParseError('netdb:\n  nodeRecordLifetime: 10m\n  republishInterval: 15m\n', { line: 3, field: 'netdb.republishInterval', says: ['less than netdb.nodeRecordLifetime (10m)'] })
    expectParseError('keys:\n  pathBuildingKeyGrace: 2d\n', { line: 2, field: 'keys.pathBuildingKeyGrace', says: ['at most keys.pathBuildingKeyRotation (1d), got 2d'] })
  })

  it('paths must be absolute', () => {
    expectParseError('dataDir: var/lib/phantom\n', { line: 1, field: 'dataDir', says: ['expected an absolute path (starting with /), got "var/lib/phantom"'] })
    expectParseError('controlSocket: "/run/\\0x"\n', { line: 1, field: 'controlSocket', says: ['NUL'] })
  })

  it('the top level must be a mapping', () => {
    expectParseError('- dataDir: /x\n', { line: 1, says: ['expected a mapping of options', 'got a list'] })
    expectParseError('just some words\n', { line: 1, says: ['expected a mapping of options', 'got a single value'] })
    expectParseError('# comment\n\n42\n', { line: 3, says: ['expected a mapping of options'] })
  })

  it('refuses anchors, aliases, exotic tags and non-string keys', () => {
    expectParseError('log: &l\n  level: info\n', { line: 1, says: ['anchors'] })
    expectParseError('dataDir: *x\n', { line: 1, says: ['aliases'] })
    expectParseError('dataDir: !!binary L3Zhcg==\n', { line: 1, says: ['tag !!binary is not supported'] })
    expectParseError('dataDir: !custom /var\n', { line: 1, says: ['YAML'] })
    expectParseError('1: x\n', { line: 1, says: ['option names must be plain strings'] })
    expectParseError('? [a, b]\n: 1\n', { line: 1, says: ['option names must be plain strings'] })
    expectParseError('network:\n  !!str allowPrivateAddresses: true\n', { line: 2, says: ['option names must be plain strings'] })
  })

  it('refuses deep nesting without exhausting the stack', () => {
    expectParseError(`mdns: ${'['.repeat(17)}${']'.repeat(17)}\n`, { line: 1, says: ['nested more than 16 levels deep'] })
    expectParseError(`\nmdns: ${'[{a: '.repeat(100_000)}\n`, { line: 2, says: ['nested more than 16 levels deep'] })
    const block = Array.from({ length: 20 }, (_, i) => `${' '.repeat(2 * i)}k${i}:`).join('\n')
    expectParseError(`${block} 1\n`, { line: 18, says: ['nested more than 16 levels deep'] })
    // Brackets inside quotes and comments do not count.
    expectParseError(`dataDir: "${'['.repeat(40)}" # ${'{'.repeat(40)}\n`, { line: 1, field: 'dataDir', says: ['absolute path'] })
  })

  it('refuses oversize text before parsing it', () => {
    const text = `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`
    expectParseError(text, { says: ['file too large', String(MAX_CONFIG_BYTES)] })
  })

  it('keeps hostile names and values on one line', () => {
    const err = expectParseError('"da\\ntaDir\\u2028": 1\n', { line: 1, field: '["da\\ntaDir\\u2028"]', says: ['unknown option'] })
    assert.ok(err.message.includes('\\n'))
    expectParseError('log:\n  level: "a\\nb\\rc\\u2029"\n', { line: 2, field: 'log.level', says: ['got "a\\nb\\rc\\u2029"'] })
    const file = '/tmp/evil\nname.yaml'
    try {
      parseConfig('mdns: 1\n', file)
      assert.fail('expected an error')
    } catch (err) {
      assert.ok(err instanceof ConfigError)
      assert.equal(err.file, file)
      assert.ok(err.message.startsWith('/tmp/evil\\nname.yaml:1: mdns: '), err.message)
    }
  })

  it('reports the problem nearest the top of the file when there are several', () => {
    expectParseError('mdns: maybe\nlog:\n  level: loud\nfoo: 1\n', { line: 1, field: 'mdns' })
    expectParseError('zzz: 1\nmdns: maybe\n', { line: 1, field: 'zzz' })
    expectParseError('netdb:\n  queryResponders: 99\n  whatever: 1\n', { line: 2, field: 'netdb.queryResponders' })
  })
})
