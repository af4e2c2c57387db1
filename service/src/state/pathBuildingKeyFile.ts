import { ByteReader } from '../wire/byteReader.js'
import { ByteWriter } from '../wire/byteWriter.js'

/** One path-building key generation: an X25519 secret with its validity. */
export interface PathBuildingKeyEntry {
  createdAt: number
  /** After this time the key is no longer announced; it still opens packages for the grace period. */
  notAfter: number
  secretKey: Buffer
}

const MAGIC = Buffer.from('PHPBK1')

/** Codec of `<dataDir>/path-building.key`: magic, count (1 or 2), then entries newest first. */
export function encodePathBuildingKeyFile (entries: PathBuildingKeyEntry[]): Buffer {
  const w = new ByteWriter(128).bytes(MAGIC).u8(entries.length)
  for (const e of entries) w.u64(BigInt(e.createdAt)).u64(BigInt(e.notAfter)).bytes(e.secretKey)
  return w.finish()
}

export function decodePathBuildingKeyFile (bytes: Uint8Array): PathBuildingKeyEntry[] {
  const r = new ByteReader(bytes, 'path-building key file')
  if (!r.bytes(MAGIC.length).equals(MAGIC)) throw new Error('not a path-building key file (bad magic)')
  const count = r.u8()
  if (count < 1 || count > 2) throw new Error(`expected 1 or 2 keys, found ${count}`)
  const entries: PathBuildingKeyEntry[] = []
  for (let i = 0; i < count; i++) {
    const createdAt = Number(r.u64())
    const notAfter = Number(r.u64())
    const secretKey = r.bytes(32)
    if (notAfter < createdAt) throw new Error('key expires before it was created')
    entries.push({ createdAt, notAfter, secretKey })
  }
  r.end()
  return entries
}
