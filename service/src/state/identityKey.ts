import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { writeFileAtomic } from './atomicFile.js'
import { StateFileError } from './stateError.js'

export const IDENTITY_KEY_FILE = 'identity.key'

/**
 * The node's long-lived Ed25519 identity (its libp2p PeerId), stored as the
 * libp2p private-key protobuf in `<dataDir>/identity.key`, mode 0600.
 * Created on first start; a corrupt file is an error, never replaced.
 */
export async function loadOrCreateIdentityKey (dataDir: string): Promise<{ key: Ed25519PrivateKey, created: boolean }> {
  const file = join(dataDir, IDENTITY_KEY_FILE)
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new StateFileError(file, `cannot read identity key: ${(err as Error).message}`)
    }
    const key = await generateKeyPair('Ed25519')
    await writeFileAtomic(file, privateKeyToProtobuf(key))
    return { key, created: true }
  }
  let key
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch {
    throw new StateFileError(file, 'identity key file is corrupt (not a libp2p private key); move it away to create a new identity')
  }
  if (key.type !== 'Ed25519') {
    throw new StateFileError(file, `identity key is ${key.type}, expected Ed25519`)
  }
  return { key, created: false }
}
