import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ConfigError, parseConfig, type PhantomConfig } from '../../src/config/index.js'
import { PEER_ID } from './configErrorAssertions.js'

const FILE = '/fuzz/phantom.yaml'

const SEED = `dataDir: /srv/phantom
controlSocket: /run/phantom/control.sock
listen:
  - /ip4/0.0.0.0/tcp/4821
  - /ip6/::/tcp/4821
announce: [/ip4/203.0.113.7/tcp/4821]
bootstrap:
  - /ip4/192.0.2.1/tcp/4821/p2p/${PEER_ID}
mdns: true
network:
  allowPrivateAddresses: false
peerCache: {size: 1000}
log:
  level: info
keys:
  pathBuildingKeyRotation: 24h
  pathBuildingKeyGrace: 1h
netdb:
  nodeRecordLifetime: 1h
  republishInterval: 20m
  queryResponders: 3
`

/** Characters that matter to YAML, to multiaddrs and to durations. */
const INTERESTING = [':', '-', ' ', '  ', '\n', '\t', '#', '[', ']', '{', '}', ',', '"', "'", '&a', '*a', '!', '!!binary', '|', '>', '?', '%', '@', '`', '/', '0', '9', '1h', 'ms', '.nan', '~', 'null', 'true', 'yes', '\\', '\u0000', '\uFEFF', '\u2028', 'é', '---', '...', '<<']

const fragment = fc.oneof(fc.constantFrom(...INTERESTING), fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 }))

/** One edit of the seed: insert, delete or replace a few characters at some position. */
const mutation = fc.tuple(fc.nat(), fc.nat({ max: 8 }), fragment)

function applyMutations (text: string, edits: Array<[number, number, string]>): string {
  let result = text
  for (const [at, cut, insert] of edits) {
    const position = result.length === 0 ? 0 : at % (result.length + 1)
    result = result.slice(0, position) + insert + result.slice(position + cut)
  }
  return result
}

/** parseConfig either succeeds with a complete config or throws a one-line ConfigError naming the file. */
function checkOutcome (text: string): void {
  let config: PhantomConfig
  try {
    config = parseConfig(text, FILE)
  } catch (err) {
    assert.ok(err instanceof ConfigError, `threw ${String(err)} for ${JSON.stringify(text)}`)
    assert.ok(err.message.startsWith(`${FILE}`), err.message)
    assert.doesNotMatch(err.message, /[\r\n\u2028\u2029]/)
    assert.ok(err.line === undefined || (Number.isInteger(err.line) && err.line >= 1))
    return
  }
  // A file that passes must give a complete, well-typed configuration.
  assert.equal(typeof config.dataDir, 'string')
  assert.ok(config.dataDir.startsWith('/'))
  assert.ok(Array.isArray(config.listen) && config.listen.every((a) => typeof a === 'string'))
  assert.ok(Number.isInteger(config.peerCache.size) && config.peerCache.size >= 0 && config.peerCache.size <= 100000)
  assert.ok(['error', 'warn', 'info', 'debug'].includes(config.log.level))
  assert.ok(config.netdb.republishIntervalMs < config.netdb.nodeRecordLifetimeMs)
  assert.ok(config.keys.pathBuildingKeyGraceMs <= config.keys.pathBuildingKeyRotationMs)
  assert.ok(Number.isSafeInteger(config.keys.pathBuildingKeyRotationMs))
}

describe('config parsing never fails with anything but ConfigError (fuzz)', () => {
  it('the seed itself is valid', () => {
    assert.equal(parseConfig(SEED, FILE).bootstrap.length, 1)
  })

  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), checkOutcome), { numRuns: 400 })
    fc.assert(fc.property(fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join('')), checkOutcome), { numRuns: 400 })
  })

  it('mutations of a valid file', () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
      checkOutcome(applyMutations(SEED, edits))
    }), { numRuns: 600 })
  })

  it('random documents built from values of every YAML type', () => {
    const leaf = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
      fc.constantFrom('/ip4/1.2.3.4/tcp/1', `/ip4/1.2.3.4/tcp/1/p2p/${PEER_ID}`, '1h', '0s', '7d', 'info', '/var/x'))
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 3 }))
    })).node
    const keys = fc.constantFrom('dataDir', 'controlSocket', 'listen', 'announce', 'bootstrap', 'seedFiles', 'mdns', 'network', 'peerCache', 'log', 'keys', 'netdb',
      'allowPrivateAddresses', 'size', 'level', 'pathBuildingKeyRotation', 'pathBuildingKeyGrace', 'nodeRecordLifetime', 'republishInterval', 'queryResponders')
    const section = fc.dictionary(keys, value, { maxKeys: 3 })
    const document = fc.dictionary(keys, fc.oneof(value, section), { maxKeys: 6 })
    fc.assert(fc.property(document, (doc) => { checkOutcome(JSON.stringify(doc)) }), { numRuns: 400 })
  })
})
