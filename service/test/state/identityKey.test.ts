import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, stat, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentityKey, IDENTITY_KEY_FILE } from '../../src/state/identityKey.js'
import { StateFileError } from '../../src/state/stateError.js'

describe('identity key file', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'phantom-id-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('is created once with mode 0600 and then reloaded with the same PeerId', async () => {
    const first = await loadOrCreateIdentityKey(dir)
    assert.equal(first.created, true)
    const mode = (await stat(join(dir, IDENTITY_KEY_FILE))).mode & 0o777
    assert.equal(mode, 0o600)
    const second = await loadOrCreateIdentityKey(dir)
    assert.equal(second.created, false)
    assert.equal(peerIdFromPrivateKey(second.key).toString(), peerIdFromPrivateKey(first.key).toString())
    assert.deepEqual((await readdir(dir)).filter(f => f.endsWith('.tmp')), [], 'no temporary files left')
  })

  it('a corrupt key file is a clear error and is never replaced', async () => {
    const file = join(dir, IDENTITY_KEY_FILE)
    await writeFile(file, Buffer.from('not a key at all'))
    await assert.rejects(loadOrCreateIdentityKey(dir), (err: unknown) => err instanceof StateFileError && /corrupt/.test(err.message) && err.message.includes(file))
    await assert.rejects(loadOrCreateIdentityKey(dir), StateFileError)
  })
})
