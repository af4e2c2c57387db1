import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ByteReader } from '../wire/byteReader.js'
import { ByteWriter } from '../wire/byteWriter.js'
import { randomBytes } from '../crypto/random.js'
import { ed25519FromSeed, type Ed25519KeyPair } from '../crypto/signing.js'
import { x25519PublicFromSecret } from '../crypto/keyAgreement.js'
import { writeFileAtomic } from './atomicFile.js'
import { StateFileError } from './stateError.js'

export const AP_IDENTITY_KEY_FILE = 'ap-identity.key'
const MAGIC = Buffer.from('PHAPK1')

/**
 * The keys of this node's own AP address (PROTOCOL.md §2): the routing key
 * (Ed25519; the AP address and .phantom name derive from it; never linked to
 * the node identity) and the e2e key (X25519; the Noise static key of its
 * sessions). Stored in `<dataDir>/ap-identity.key`, mode 0600: magic
 * "PHAPK1" ‖ routing seed (32) ‖ e2e secret (32). Created on first start; a
 * corrupt file stops the daemon (a new AP address must be a deliberate act).
 */
export interface ApIdentity {
  routing: Ed25519KeyPair
  e2eSecretKey: Buffer
  e2ePublicKey: Buffer
}

export function encodeApIdentityFile (routingSeed: Uint8Array, e2eSecret: Uint8Array): Buffer {
  return new ByteWriter(70).bytes(MAGIC).bytes(routingSeed).bytes(e2eSecret).finish()
}

export function decodeApIdentityFile (bytes: Uint8Array): ApIdentity {
  const r = new ByteReader(bytes, 'AP identity file')
  if (!r.bytes(MAGIC.length).equals(MAGIC)) throw new Error('not an AP identity file (bad magic)')
  const seed = r.bytes(32)
  const e2eSecretKey = r.bytes(32)
  r.end()
  return { routing: ed25519FromSeed(seed), e2eSecretKey, e2ePublicKey: x25519PublicFromSecret(e2eSecretKey) }
}

export async function loadOrCreateApIdentity (dataDir: string): Promise<{ identity: ApIdentity, created: boolean }> {
  const file = join(dataDir, AP_IDENTITY_KEY_FILE)
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StateFileError(file, `cannot read AP identity: ${(err as Error).message}`)
    const encoded = encodeApIdentityFile(randomBytes(32), randomBytes(32))
    await writeFileAtomic(file, encoded)
    return { identity: decodeApIdentityFile(encoded), created: true }
  }
  try {
    return { identity: decodeApIdentityFile(bytes), created: false }
  } catch (err) {
    throw new StateFileError(file, `AP identity file is corrupt (${(err as Error).message}); move it away to create a new AP address`)
  }
}
