import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ControlMethodError } from '../../src/control/controlProtocol.js'
import { controlMethods } from '../../src/daemon/controlMethods.js'
import type { PhantomNode } from '../../src/daemon/phantomNode.js'
import { checkSeedEntries, formatSeedFile, parseSeedFile, SEED_FILE_MAX_BYTES, SEED_FILE_MAX_ENTRIES, SEED_FILE_MAX_LINE_CHARS, SeedFileError } from '../../src/link/seedFile.js'

async function somePeerIds (n: number): Promise<string[]> {
  return await Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
}

/** controlMethods' `peers.import` over a stand-in node that records what it was asked to dial. */
function importMethod (): { call: (params: Record<string, unknown>) => Promise<unknown>, imported: Multiaddr[][] } {
  const imported: Multiaddr[][] = []
  const node = {
    importPeers: async (addrs: Multiaddr[]) => {
      imported.push(addrs)
      return { given: addrs.length, connected: 0 }
    }
  } as unknown as PhantomNode
  const method = controlMethods(node).get('peers.import')
  assert.ok(method !== undefined)
  return { call: method, imported }
}

async function invalidParams (promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ControlMethodError, String(err))
    assert.equal(err.code, 'invalid-params')
    assert.match(err.message, message)
    return true
  })
}

describe('peers.import (control method) and the seed-file rules for address lists', () => {
  let ids: string[]
  before(async () => { ids = await somePeerIds(3) })
  const addr = (i: number, id: string): string => `/ip4/192.0.2.${(i % 250) + 1}/tcp/${4000 + i}/p2p/${id}`

  it('dials the given addresses, trimmed and distinct, in order', async () => {
    const { call, imported } = importMethod()
    const a = addr(1, ids[0]!)
    const b = `/dns4/node.example/tcp/4821/p2p/${ids[1]!}`
    const result = await call({ addrs: [` ${a} `, b, a] })
    assert.deepEqual(result, { given: 2, connected: 0 })
    assert.deepEqual(imported.map(list => list.map(String)), [[a, b]])
  })

  it('accepts an empty list and exactly SEED_FILE_MAX_ENTRIES addresses', async () => {
    const { call, imported } = importMethod()
    assert.deepEqual(await call({ addrs: [] }), { given: 0, connected: 0 })
    const many = Array.from({ length: SEED_FILE_MAX_ENTRIES }, (_, i) => addr(i, ids[i % 3]!))
    assert.deepEqual(await call({ addrs: many }), { given: SEED_FILE_MAX_ENTRIES, connected: 0 })
    assert.equal(imported.length, 2)
  })

  it('rejects a list longer than SEED_FILE_MAX_ENTRIES, naming the limit, and dials nothing', async () => {
    const { call, imported } = importMethod()
    const tooMany = Array.from({ length: SEED_FILE_MAX_ENTRIES + 1 }, (_, i) => addr(i, ids[i % 3]!))
    await invalidParams(call({ addrs: tooMany }), new RegExp(`${SEED_FILE_MAX_ENTRIES + 1} addresses; at most ${SEED_FILE_MAX_ENTRIES}`))
    assert.equal(imported.length, 0)
  })

  it('rejects the whole list for one bad entry, naming its index and what was expected', async () => {
    const { call, imported } = importMethod()
    const good = addr(1, ids[0]!)
    await invalidParams(call({ addrs: [good, 'hello'] }), /^addrs\[1\]: expected a multiaddr ending in \/p2p\/<peer id>/)
    await invalidParams(call({ addrs: [good, '/ip4/192.0.2.2/tcp/4821'] }), /^addrs\[1\]: expected a multiaddr ending in \/p2p\//)
    await invalidParams(call({ addrs: ['/ip4/192.0.2.3/tcp/1/p2p/notapeerid'] }), /^addrs\[0\]: .*not a valid peer id/)
    await invalidParams(call({ addrs: [good, 42] }), /^addrs\[1\]: not a string/)
    await invalidParams(call({ addrs: ['# a comment'] }), /^addrs\[0\]: /)
    await invalidParams(call({ addrs: [`/dns4/${'a'.repeat(SEED_FILE_MAX_LINE_CHARS)}/tcp/1/p2p/${ids[0]!}`] }), new RegExp(`^addrs\\[0\\]: too long .*at most ${SEED_FILE_MAX_LINE_CHARS}`))
    await invalidParams(call({ addrs: [good, `/dnsaddr/seed.example/p2p/${ids[0]!}`] }), /^addrs\[1\]: \/dnsaddr\/ is not supported/)
    await invalidParams(call({ addrs: 'not a list' }), /"addrs" must be an array of strings/)
    await invalidParams(call({}), /"addrs" must be an array of strings/)
    assert.equal(imported.length, 0)
  })

  it('bounds the whole list by SEED_FILE_MAX_BYTES, one address per line', () => {
    // 100 distinct addresses of ~1000 characters each: within the entry and line limits, over the byte limit.
    const long = Array.from({ length: 100 }, (_, i) => `/dns4/${String(i).padStart(3, '0')}${'a'.repeat(900)}/tcp/1/p2p/${ids[0]!}`)
    assert.ok(long.every(a => a.length <= SEED_FILE_MAX_LINE_CHARS))
    assert.throws(() => checkSeedEntries(long, 'addrs'), (err: unknown) => err instanceof SeedFileError && err.message.includes(String(SEED_FILE_MAX_BYTES)))
  })

  it('accepts exactly what a seed file would keep (any list of lines, good and bad)', () => {
    const line = fc.oneof(
      fc.constantFrom(...ids.map((id, i) => addr(i, id)), `  ${addr(7, ids[0]!)}`, 'hello', '', '/ip4/1.2.3.4/tcp/1', `/ip4/1.2.3.4/tcp/1/p2p/${ids[1]!}/p2p/${ids[2]!}`),
      fc.string({ maxLength: 40 })
    ).filter(l => !l.includes('\n') && !l.includes('\r') && !l.trimStart().startsWith('#') && l.trim() !== '')
    fc.assert(fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
      const fromFile = parseSeedFile(lines.join('\n'), 'f')
      let checked: string[] | undefined
      try {
        checked = checkSeedEntries(lines, 'addrs')
      } catch (err) {
        assert.ok(err instanceof SeedFileError, String(err))
      }
      if (checked === undefined) assert.ok(fromFile.warnings.length > 0, 'a list rejected as values is also a bad seed file')
      else {
        assert.deepEqual(checked, fromFile.entries)
        assert.deepEqual(fromFile.warnings, [])
      }
    }), { numRuns: 300 })
  })

  it('round-trips what formatSeedFile writes, and never throws anything but SeedFileError on arbitrary values', () => {
    const entries = ids.map((id, i) => addr(i, id))
    assert.deepEqual(checkSeedEntries(parseSeedFile(formatSeedFile(entries, { writtenBy: 't', writtenAt: new Date(0) }), 'f').entries, 'addrs'), entries)
    fc.assert(fc.property(fc.array(fc.anything(), { maxLength: 8 }), (values) => {
      try {
        checkSeedEntries(values, 'addrs')
      } catch (err) {
        assert.ok(err instanceof SeedFileError, String(err))
      }
    }), { numRuns: 300 })
  })
})
