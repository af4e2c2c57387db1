import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { formatSeedFile, parseSeedFile, SEED_FILE_MAX_BYTES, SEED_FILE_MAX_ENTRIES, SEED_FILE_MAX_LINE_CHARS, SEED_FILE_MAX_WARNINGS, SeedFileError } from '../../src/link/seedFile.js'
import { readSeedFiles } from '../../src/link/seedFileReader.js'
import { seedEntriesForExport } from '../../src/link/seedExport.js'
import { loadSeedPeers } from '../../src/link/seedPeers.js'
import { OperatorNames } from '../../src/link/operatorNames.js'
import { createLogger } from '../../src/logging/logger.js'

async function somePeerIds (n: number): Promise<string[]> {
  return await Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
}

const HEADER = { writtenBy: 'a test', writtenAt: new Date('2026-01-02T03:04:05Z') }

describe('seed file codec', () => {
  let ids: string[]
  before(async () => { ids = await somePeerIds(4) })

  it('reads entries, skips comments and blank lines, tolerates CRLF, a BOM and spaces', () => {
    const a = `/ip4/192.0.2.1/tcp/4821/p2p/${ids[0]!}`
    const b = `/ip6/2001:db8::1/tcp/4821/p2p/${ids[1]!}`
    const c = `/dns4/node.example/tcp/4821/p2p/${ids[2]!}`
    const text = `\uFEFF# header\r\n\r\n  ${a}  \r\n${b}\r\n   # indented comment\n${c}\n${a}\n`
    const { entries, warnings } = parseSeedFile(text, 'seeds.txt')
    assert.deepEqual(entries, [a, b, c])
    assert.deepEqual(warnings, [])
  })

  it('skips a /dnsaddr/ line with a warning (a TXT record could name any peer); keeps /dns4/ names', () => {
    const named = `/dns4/seed.example/tcp/4821/p2p/${ids[0]!}`
    const { entries, warnings } = parseSeedFile([`/dnsaddr/seed.example/p2p/${ids[1]!}`, named].join('\n'), 'seeds.txt')
    assert.deepEqual(entries, [named])
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /^seeds\.txt:1: \/dnsaddr\/ is not supported \(write \/dns4\/, \/dns6\/ or an IP address\).*skipped$/)
  })

  it('skips a bad line with a warning naming file, line and what was expected, and keeps the good ones', () => {
    const good = `/ip4/192.0.2.1/tcp/4821/p2p/${ids[0]!}`
    const text = ['# seeds', 'hello', '/ip4/192.0.2.2/tcp/4821', good, `/ip4/192.0.2.3/tcp/1/p2p/${ids[1]!}/p2p/${ids[2]!}`, '/ip4/192.0.2.3/tcp/1/p2p/notapeerid'].join('\n')
    const { entries, warnings } = parseSeedFile(text, '/run/phantom-seed/seeds.txt')
    assert.deepEqual(entries, [good])
    assert.equal(warnings.length, 4)
    assert.match(warnings[0]!, /^\/run\/phantom-seed\/seeds\.txt:2: expected a multiaddr ending in \/p2p\/<peer id>.*"hello".*skipped$/)
    assert.match(warnings[1]!, /^\/run\/phantom-seed\/seeds\.txt:3: expected a multiaddr ending in \/p2p\/<peer id>/)
    assert.match(warnings[2]!, /^\/run\/phantom-seed\/seeds\.txt:5: /)
    assert.match(warnings[3]!, /^\/run\/phantom-seed\/seeds\.txt:6: .*not a valid peer id/)
  })

  it('skips an over-long line and refuses an oversized file as a whole', () => {
    const good = `/ip4/192.0.2.1/tcp/4821/p2p/${ids[0]!}`
    const long = `/dns4/${'a'.repeat(SEED_FILE_MAX_LINE_CHARS)}/tcp/1/p2p/${ids[1]!}`
    const { entries, warnings } = parseSeedFile(`${long}\n${good}\n`, 'f')
    assert.deepEqual(entries, [good])
    assert.match(warnings[0]!, /^f:1: line too long/)
    assert.throws(() => parseSeedFile('#'.repeat(SEED_FILE_MAX_BYTES + 1), 'big.txt'), (err: unknown) => err instanceof SeedFileError && /^big\.txt: too large/.test(err.message))
    assert.doesNotThrow(() => parseSeedFile('#'.repeat(SEED_FILE_MAX_BYTES), 'just.txt'))
  })

  it('keeps at most SEED_FILE_MAX_ENTRIES entries and bounds its warnings', () => {
    const many = Array.from({ length: SEED_FILE_MAX_ENTRIES + 10 }, (_, i) => `/ip4/10.${i >> 8}.${i & 255}.1/tcp/1/p2p/${ids[0]!}`)
    const parsed = parseSeedFile(many.join('\n'), 'f')
    assert.equal(parsed.entries.length, SEED_FILE_MAX_ENTRIES)
    assert.deepEqual(parsed.warnings, [`f: more than ${SEED_FILE_MAX_ENTRIES} entries; the last 10 ignored`])
    const junk = parseSeedFile('x\n'.repeat(1000), 'f')
    assert.equal(junk.entries.length, 0)
    assert.equal(junk.warnings.length, SEED_FILE_MAX_WARNINGS + 1)
    assert.equal(junk.warnings.at(-1), `f: ${1000 - SEED_FILE_MAX_WARNINGS} more problems not shown`)
  })

  it('format writes a header and the valid entries; parse reads them back without warnings', () => {
    const entries = [`/ip4/192.0.2.1/tcp/4821/p2p/${ids[0]!}`, 'not an address', `/ip4/192.0.2.1/tcp/4821/p2p/${ids[0]!}`, `/ip6/::1/tcp/1/p2p/${ids[1]!}`]
    const text = formatSeedFile(entries, { writtenBy: 'node\nX', writtenAt: HEADER.writtenAt })
    assert.ok(text.startsWith('# Phantom seed file'))
    assert.match(text, /^# Written by node X at 2026-01-02T03:04:05\.000Z\.$/m)
    assert.deepEqual(parseSeedFile(text, 'f'), { entries: [entries[0], entries[3]], warnings: [] })
  })

  it('random text: never throws anything but SeedFileError, results always bounded', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('\n', '\r\n', '#', '/p2p/', `/p2p/${ids[0]!}`, '/ip4/1.2.3.4/tcp/5', '/ip6/::/tcp/0', '/dns4/x/tcp/1', '/p2p-circuit', '\uFEFF', '\u0000')
    )
    fc.assert(fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
      const text = pieces.join('')
      try {
        const { entries, warnings } = parseSeedFile(text, 'fuzz')
        assert.ok(entries.length <= SEED_FILE_MAX_ENTRIES)
        assert.ok(warnings.length <= SEED_FILE_MAX_WARNINGS + 1)
        assert.equal(new Set(entries).size, entries.length)
        for (const e of entries) assert.ok(e.length <= SEED_FILE_MAX_LINE_CHARS && e.includes('/p2p/'))
      } catch (err) {
        assert.ok(err instanceof SeedFileError, String(err))
      }
    }), { numRuns: 500 })
  })

  it('random entry lists: format always gives a file parse reads back exactly, within the bounds', () => {
    const entry = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 65535 }), fc.constantFrom(...ids)).map(([b, port, id]) => `/ip4/10.0.0.${b}/tcp/${port}/p2p/${id}`),
      fc.tuple(fc.stringMatching(/^[a-z]{1,1100}$/), fc.constantFrom(...ids)).map(([host, id]) => `/dns4/${host}/tcp/1/p2p/${id}`),
      fc.string({ maxLength: 40 })
    )
    fc.assert(fc.property(fc.array(entry, { maxLength: 400 }), (entries) => {
      const text = formatSeedFile(entries, HEADER)
      assert.ok(Buffer.byteLength(text) <= SEED_FILE_MAX_BYTES)
      const parsed = parseSeedFile(text, 'f')
      assert.deepEqual(parsed.warnings, [])
      const lines = text.split('\n').filter(l => l !== '' && !l.startsWith('#'))
      assert.deepEqual(parsed.entries, lines)
      assert.ok(parsed.entries.length <= SEED_FILE_MAX_ENTRIES)
    }), { numRuns: 60 })
  })
})

describe('seed file reading', () => {
  let dir: string
  let ids: string[]
  before(async () => { ids = await somePeerIds(3) })
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'phantom-seed-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('missing files are normal; unreadable, oversized and non-regular ones are warnings; entries merge in order', async () => {
    const a = `/ip4/192.0.2.1/tcp/4821/p2p/${ids[0]!}`
    const b = `/ip4/192.0.2.2/tcp/4821/p2p/${ids[1]!}`
    await writeFile(join(dir, 'one.txt'), `${a}\nbad\n`)
    await writeFile(join(dir, 'two.txt'), `${b}\n${a}\n`)
    await writeFile(join(dir, 'big.txt'), `${a}\n${'#'.repeat(SEED_FILE_MAX_BYTES)}\n`)
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    const files = [join(dir, 'one.txt'), join(dir, 'nope.txt'), join(dir, 'nodir', 'x.txt'), join(dir, 'big.txt'), dir, fifo, join(dir, 'two.txt')]
    const found = await readSeedFiles(files)
    assert.deepEqual(found.entries, [a, b])
    assert.deepEqual(found.missing, [join(dir, 'nope.txt'), join(dir, 'nodir', 'x.txt')])
    assert.deepEqual(found.read, [{ file: join(dir, 'one.txt'), entries: 1 }, { file: join(dir, 'two.txt'), entries: 2 }])
    assert.equal(found.warnings.length, 4)
    assert.match(found.warnings[0]!, /one\.txt:2: expected a multiaddr ending in \/p2p\//)
    assert.match(found.warnings[1]!, /big\.txt: too large/)
    assert.match(found.warnings[2]!, /: not a regular file, ignored$/)
    assert.match(found.warnings[3]!, /fifo: not a regular file, ignored$/)
  })

  it('a file that cannot be opened (a symlink loop) is a warning', async () => {
    const file = join(dir, 'loop.txt')
    await symlink(file, file)
    const found = await readSeedFiles([file])
    assert.deepEqual(found.entries, [])
    assert.match(found.warnings[0]!, /loop\.txt: cannot read: .*ELOOP/)
  })

  it('the daemon leaves out its own addresses and, on the open Internet, private ones; it keeps names and remembers them as the operator\'s', async () => {
    const own = ids[2]!
    const pub = `/ip4/1.1.1.7/tcp/4821/p2p/${ids[0]!}`
    const priv = `/ip4/10.1.2.3/tcp/4821/p2p/${ids[1]!}`
    const named = `/dns4/Seed.Example.org./tcp/4821/p2p/${ids[0]!}`
    await writeFile(join(dir, 's.txt'), [pub, priv, named, `/ip4/198.51.100.1/tcp/1/p2p/${own}`].join('\n'))
    const lines: string[] = []
    const log = createLogger('debug', 'seed', (l) => { lines.push(l) })
    const internet = { allowPrivateAddresses: false }
    const names = new OperatorNames(internet, log)
    assert.equal(names.has('seed.example.org'), false)
    assert.deepEqual(await loadSeedPeers([join(dir, 's.txt'), join(dir, 'missing.txt')], own, internet, names, log), [pub, named])
    assert.equal(names.has('seed.example.org'), true, 'looked up when dialled, its addresses checked then')
    assert.deepEqual(await loadSeedPeers([join(dir, 's.txt')], own, { allowPrivateAddresses: true }, names, log), [pub, priv, named])
    const parsed = lines.map(l => JSON.parse(l) as { level: string, msg: string })
    assert.ok(parsed.some(l => l.level === 'warn' && /allowPrivateAddresses is false/.test(l.msg)))
    assert.ok(parsed.some(l => l.level === 'debug' && l.msg === 'no seed file at'))
    assert.ok(!parsed.some(l => l.level === 'warn' && /missing/.test(JSON.stringify(l))))
  })
})

describe('seed export selection', () => {
  let ids: string[]
  before(async () => { ids = await somePeerIds(4) })

  it('own addresses first, then connected peers, then the cache, round-robin, policy-filtered, with /p2p/', () => {
    const [own, p1, p2, p3] = ids as [string, string, string, string]
    const out = seedEntriesForExport({
      ownPeerId: own,
      ownAddrs: [multiaddr(`/ip4/192.0.2.1/tcp/4821/p2p/${own}`), multiaddr('/ip4/127.0.0.1/tcp/4821')],
      connected: [{ peerId: p2, addrs: ['/ip4/192.0.2.3/tcp/4821'] }, { peerId: own, addrs: ['/ip4/192.0.2.99/tcp/1'] }],
      cached: [
        { peerId: p1, addrs: ['/ip4/192.0.2.2/tcp/4821', '/ip4/192.0.2.22/tcp/4821'] },
        { peerId: p2, addrs: ['/ip4/192.0.2.33/tcp/4821'] },
        { peerId: p3, addrs: ['/ip4/10.0.0.4/tcp/4821', '/ip4/192.0.2.4/tcp/4821/p2p-circuit', '/ip4/192.0.2.44/tcp/4821'] }
      ],
      allowed: (a) => !a.toString().startsWith('/ip4/127.') && !a.toString().startsWith('/ip4/10.')
    })
    assert.deepEqual(out, [
      `/ip4/192.0.2.1/tcp/4821/p2p/${own}`,
      `/ip4/192.0.2.33/tcp/4821/p2p/${p2}`,
      `/ip4/192.0.2.2/tcp/4821/p2p/${p1}`,
      `/ip4/192.0.2.3/tcp/4821/p2p/${p2}`,
      `/ip4/192.0.2.22/tcp/4821/p2p/${p1}`,
      `/ip4/192.0.2.44/tcp/4821/p2p/${p3}`
    ])
  })

  it('never more than SEED_FILE_MAX_ENTRIES lines, and every peer before any peer\'s second address', async () => {
    const many = await somePeerIds(SEED_FILE_MAX_ENTRIES / 2 + 10)
    const cached = many.map((peerId, i) => ({ peerId, addrs: [`/ip4/192.0.2.${i & 255}/tcp/${i + 1}`, `/ip4/198.51.100.${i & 255}/tcp/${i + 1}`] }))
    const out = seedEntriesForExport({ ownPeerId: ids[0]!, ownAddrs: [multiaddr('/ip4/192.0.2.1/tcp/4821')], connected: [], cached, allowed: () => true })
    assert.equal(out.length, SEED_FILE_MAX_ENTRIES)
    assert.equal(out[0], `/ip4/192.0.2.1/tcp/4821/p2p/${ids[0]!}`)
    assert.equal(new Set(out.slice(1, many.length + 1).map(e => e.split('/p2p/')[1])).size, many.length)
    assert.deepEqual(parseSeedFile(formatSeedFile(out, HEADER), 'f').entries, out)
  })
})
