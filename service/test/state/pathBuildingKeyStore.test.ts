import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { PathBuildingKeyStore, PATH_BUILDING_KEY_FILE } from '../../src/state/pathBuildingKeyStore.js'
import { decodePathBuildingKeyFile, encodePathBuildingKeyFile } from '../../src/state/pathBuildingKeyFile.js'
import { StateFileError } from '../../src/state/stateError.js'

const HOUR = 3_600_000

describe('path-building key store', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'phantom-pbk-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('rotates on schedule and keeps the previous secret for the grace period only', async () => {
    let now = 1_700_000_000_000
    const clock = (): number => now
    const store = await PathBuildingKeyStore.open(dir, { rotateAfterMs: 24 * HOUR, graceMs: HOUR }, clock)
    assert.equal((await stat(join(dir, PATH_BUILDING_KEY_FILE))).mode & 0o777, 0o600)
    const first = store.current()
    assert.equal(first.notAfter, now + 24 * HOUR)
    now += 23 * HOUR
    assert.equal(await store.rotateIfDue(), false)
    now += HOUR
    assert.equal(await store.rotateIfDue(), true)
    const second = store.current()
    assert.notDeepEqual(second.publicKey, first.publicKey)
    assert.deepEqual(store.usable().map(k => k.publicKey.toString('hex')), [second.publicKey, first.publicKey].map(k => k.toString('hex')))
    now += HOUR - 1
    assert.equal(store.usable().length, 2, 'old key still opens packages within the grace')
    now += 1
    assert.equal(store.usable().length, 1, 'old key dropped after the grace')
    const reopened = await PathBuildingKeyStore.open(dir, { rotateAfterMs: 24 * HOUR, graceMs: HOUR }, clock)
    assert.deepEqual(reopened.current().publicKey, second.publicKey, 'persisted across restarts')
  })

  it('a corrupt file is an error, never silently regenerated', async () => {
    const file = join(dir, PATH_BUILDING_KEY_FILE)
    await writeFile(file, Buffer.from('PHPBK1\x01short'))
    await assert.rejects(PathBuildingKeyStore.open(dir, { rotateAfterMs: HOUR, graceMs: HOUR }), StateFileError)
    assert.equal((await readFile(file)).toString('latin1'), 'PHPBK1\x01short')
  })

  it('the file codec round-trips and rejects every truncation and extension', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 }), fc.nat({ max: 2 ** 40 }), (count, t) => {
      const entries = Array.from({ length: count }, (_, i) => ({ createdAt: t + i, notAfter: t + i + 5, secretKey: Buffer.alloc(32, i + 1) }))
      const bytes = encodePathBuildingKeyFile(entries)
      assert.deepEqual(decodePathBuildingKeyFile(bytes), entries)
      for (let cut = 0; cut < bytes.length; cut++) assert.throws(() => decodePathBuildingKeyFile(bytes.subarray(0, cut)))
      assert.throws(() => decodePathBuildingKeyFile(Buffer.concat([bytes, Buffer.from([0])])))
    }), { numRuns: 30 })
  })
})
