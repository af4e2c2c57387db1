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

describe('AP identity file', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'phantom-apid-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('is created once (0600) and reloads to the same AP address; corrupt is an error', async () => {
    const { loadOrCreateApIdentity, AP_IDENTITY_KEY_FILE } = await import('../../src/state/apIdentityKey.js')
    const { deriveApAddress } = await import('../../src/netdb/apAddress.js')
    const first = await loadOrCreateApIdentity(dir)
    assert.equal(first.created, true)
    assert.equal((await stat(join(dir, AP_IDENTITY_KEY_FILE))).mode & 0o777, 0o600)
    const again = await loadOrCreateApIdentity(dir)
    assert.equal(again.created, false)
    assert.deepEqual(deriveApAddress(again.identity.routing.publicKey), deriveApAddress(first.identity.routing.publicKey))
    assert.deepEqual(again.identity.e2ePublicKey, first.identity.e2ePublicKey)
    await writeFile(join(dir, AP_IDENTITY_KEY_FILE), Buffer.from('PHAPK1short'))
    await assert.rejects(loadOrCreateApIdentity(dir), (err: unknown) => err instanceof StateFileError && /corrupt/.test(err.message))
  })
})
