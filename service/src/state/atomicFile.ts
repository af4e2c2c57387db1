import { open, rename, mkdir, unlink } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'
import { randomBytes } from '../crypto/random.js'

/**
 * Writes `data` to `file` atomically: a temporary file in the same directory,
 * fsync, rename over the target, fsync of the directory. Readers see either the
 * old or the new content, never a torn file. Mode defaults to 0600.
 */
export async function writeFileAtomic (file: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  const dir = dirname(file)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', mode)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (err) {
    await handle.close()
    await unlink(temp).catch(() => {})
    throw err
  }
  await handle.close()
  try {
    await rename(temp, file)
  } catch (err) {
    await unlink(temp).catch(() => {})
    throw err
  }
  const dirHandle = await open(dir, 'r')
  try {
    await dirHandle.sync()
  } finally {
    await dirHandle.close()
  }
}
