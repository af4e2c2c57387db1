/** A file of random bytes for transfer tests, and the sha256 of a file as received. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { randomBytes } from '../../src/crypto/index.js'

/** Writes `bytes` random bytes to `path`; returns their sha256 (hex). */
export async function writeRandomFile (path: string, bytes: number): Promise<string> {
  const body = randomBytes(bytes)
  await writeFile(path, body)
  return createHash('sha256').update(body).digest('hex')
}

/** The sha256 (hex) of the file at `path`, read as a stream. */
export async function sha256OfFile (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
