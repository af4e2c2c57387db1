import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { CONFIG_RELATIONS, defaultConfig, formatDuration, listConfigOptions, parseConfig, parseDuration } from '../../src/config/index.js'

/**
 * The repository root: the nearest ancestor of this file (so that the test
 * runs from test/ and from dist/test/ alike), or else of the working directory,
 * holding both docs/configuration.md and service/etc/phantom.yaml.
 */
function repositoryRoot (): string {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'docs', 'configuration.md')) && existsSync(join(dir, 'service', 'etc', 'phantom.yaml'))) return dir
      if (dirname(dir) === dir) break
    }
  }
  throw new Error('repository root (with docs/configuration.md and service/etc/phantom.yaml) not found')
}

const root = repositoryRoot()
const EXAMPLE_PATH = join(root, 'service', 'etc', 'phantom.yaml')
const DOC_PATH = join(root, 'docs', 'configuration.md')

/**
 * The example file's convention: explanations are "# text" (hash, one space),
 * options are "#key: value" or "#  key: value" / "#  - item" (the YAML line
 * with a hash in front). Removing that hash enables every option.
 */
function uncomment (text: string): string {
  return text.split('\n').map((line) => /^#(?=[A-Za-z]| {2,}[A-Za-z-])/.test(line) ? line.slice(1) : line).join('\n')
}

function valueAt (value: unknown, dotted: string): unknown {
  let node: unknown = value
  for (const key of dotted.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

function rangeFragments (schema: Readonly<Record<string, unknown>>): string[] {
  const fragments: string[] = []
  if (typeof schema.minimum === 'number' && typeof schema.maximum === 'number') fragments.push(`${schema.minimum} to ${schema.maximum}`)
  const duration = schema.phantomDuration as { minimum: string, maximum: string } | undefined
  if (duration !== undefined) fragments.push(`${duration.minimum} to ${duration.maximum}`)
  if (Array.isArray(schema.enum)) fragments.push(...schema.enum.map((v) => String(v)))
  if (typeof schema.maxItems === 'number') fragments.push(`up to ${schema.maxItems}`)
  if (typeof schema.maxLength === 'number') fragments.push(`at most ${schema.maxLength} characters`)
  return fragments
}

describe('config documentation and example file agree with the schema', () => {
  const options = listConfigOptions()

  it('the schema has the options the daemon reads', () => {
    assert.deepEqual(options.map((o) => o.name), [
      'dataDir', 'controlSocket', 'listen', 'announce', 'bootstrap', 'seedFiles', 'mdns',
      'network.allowPrivateAddresses', 'network.reachable', 'peerCache.size', 'log.level',
      'keys.pathBuildingKeyRotation', 'keys.pathBuildingKeyGrace',
      'netdb.nodeRecordLifetime', 'netdb.republishInterval', 'netdb.queryResponders',
      'path.x', 'path.extraY', 'path.count.exit', 'path.count.entry', 'path.rotateAfter', 'path.setupTimeout',
      'path.setupStateTtl', 'path.maxConcurrentSetups', 'path.diversity', 'path.trusted', 'path.blocklist',
      'tun.enabled', 'tun.name', 'tun.mtu', 'tun.ipv4.enabled', 'tun.ipv4.prefix', 'ap.expose', 'ap.answerPing',
      'dns.enabled', 'dns.listen', 'dns.hostsFile',
      'socks.enabled', 'socks.listen', 'session.streamIdleTimeout', 'services'
    ])
    for (const option of options) {
      assert.notEqual(option.defaultValue, undefined, `${option.name} has no default`)
      assert.ok(option.description.length > 10, `${option.name} has no description`)
    }
  })

  it('every schema default is valid, and duration defaults are in range', () => {
    for (const option of options) {
      const duration = option.schema.phantomDuration as { minimum: string, maximum: string } | undefined
      if (duration === undefined) continue
      const ms = parseDuration(String(option.defaultValue)) as number
      assert.ok(ms >= (parseDuration(duration.minimum) as number) && ms <= (parseDuration(duration.maximum) as number), option.name)
      assert.ok((parseDuration(duration.maximum) as number) <= 2 ** 31 - 1, `${option.name}: maximum beyond what a Node.js timer can wait`)
    }
  })

  describe('docs/configuration.md', () => {
    const doc = readFileSync(DOC_PATH, 'utf8')
    const rows = doc.split('\n').filter((line) => line.startsWith('| `'))

    it('has one table row per option, with its default and its range', () => {
      for (const option of options) {
        const row = rows.filter((r) => r.startsWith(`| \`${option.name}\` |`))
        assert.equal(row.length, 1, `${option.name}: expected exactly one row in ${DOC_PATH}`)
        const cells = (row[0] as string).split(' | ')
        assert.equal(cells[2], `\`${option.defaultText}\``, `${option.name}: documented default differs from the schema (${option.defaultText})`)
        for (const fragment of rangeFragments(option.schema)) {
          assert.ok((row[0] as string).includes(fragment), `${option.name}: row should mention "${fragment}"`)
        }
      }
    })

    it('documents no option the schema does not have', () => {
      const names = new Set(options.map((o) => o.name))
      for (const row of rows) {
        const name = /^\| `([^`]+)` \|/.exec(row)?.[1] as string
        assert.ok(names.has(name), `${DOC_PATH} documents "${name}", which is not in the schema`)
      }
    })

    it('documents the relations between options and the exit status', () => {
      for (const relation of CONFIG_RELATIONS) {
        const row = rows.find((r) => r.startsWith(`| \`${relation.smaller.join('.')}\` |`)) as string
        assert.ok(row.includes(`\`${relation.larger.join('.')}\``), `${relation.smaller.join('.')}: relation to ${relation.larger.join('.')} not documented`)
      }
      assert.match(doc, /exit status 78/)
      assert.match(doc, /\/etc\/phantom\/phantom\.yaml/)
    })

    it('its example error messages are what the parser says', () => {
      const examples = doc.split('\n').filter((line) => line.startsWith('/etc/phantom/phantom.yaml:'))
      assert.ok(examples.length >= 6)
      const produce: Record<string, string> = {
        'log.level': `${'\n'.repeat(10)}log:\n  level: verbose\n`,
        'network.allowPrivateAdresses': `${'\n'.repeat(5)}network:\n  allowPrivateAdresses: true\n`,
        'listen[1]': '\nlisten:\n  - /ip4/0.0.0.0/tcp/4821\n  - /ip4/999.0.0.1/tcp/1\n',
        'netdb.republishInterval': `${'\n'.repeat(7)}netdb:\n  republishInterval: 1h\n`,
        mdns: `\n\nmdns: true\n${'\n'.repeat(10)}mdns: false\n`,
        'YAML syntax error': 'mdns: true\nlog:\n  level: info\n bad: x\n'
      }
      for (const example of examples) {
        const key = Object.keys(produce).find((k) => example.includes(` ${k}:`)) as string
        assert.ok(key !== undefined, `no input known for the documented example ${example}`)
        assert.throws(() => parseConfig(produce[key] as string, '/etc/phantom/phantom.yaml'), (err: Error) => {
          assert.equal(err.message, example)
          return true
        })
      }
    })
  })

  describe('service/etc/phantom.yaml', () => {
    const example = readFileSync(EXAMPLE_PATH, 'utf8')

    it('as shipped (everything commented out) means the defaults', () => {
      assert.deepEqual(parseConfig(example, EXAMPLE_PATH), defaultConfig())
    })

    it('with every option uncommented still means the defaults', () => {
      assert.deepEqual(parseConfig(uncomment(example), EXAMPLE_PATH), defaultConfig())
    })

    it('lists every option of the schema, with its default', () => {
      const written = parse(uncomment(example)) as unknown
      for (const option of options) {
        assert.deepEqual(valueAt(written, option.name), option.defaultValue, `${option.name} missing from ${EXAMPLE_PATH} or with another value`)
      }
    })

    it('explains every option on the line above it', () => {
      const lines = uncomment(example).split('\n')
      for (const option of options) {
        const key = option.name.split('.').pop() as string
        const at = lines.findIndex((line) => new RegExp(`^\\s*${key}:`).test(line))
        assert.ok(at > 0, `${option.name} not found`)
        assert.ok(lines[at - 1]?.startsWith('# '), `${option.name}: no explanation just above it`)
        for (const fragment of rangeFragments(option.schema).filter((f) => !f.startsWith('up to') && !f.startsWith('at most'))) {
          assert.ok(example.includes(fragment), `${option.name}: the example file should mention "${fragment}"`)
        }
      }
    })
  })

  it('formatDuration shows the duration defaults in their documented form', () => {
    const config = defaultConfig()
    assert.equal(formatDuration(config.netdb.republishIntervalMs), '20m')
    assert.equal(formatDuration(config.netdb.nodeRecordLifetimeMs), '1h')
  })
})
