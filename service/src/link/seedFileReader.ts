import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { parseSeedFile, SEED_FILE_MAX_BYTES, SeedFileError } from './seedFile.js'

/** What reading the configured seed files found. */
export interface SeedFilesRead {
  /** Distinct bootstrap multiaddrs from every file, in order (at most SEED_FILE_MAX_ENTRIES per file). */
  entries: string[]
  /** Files that were read, with how many entries each gave. */
  read: Array<{ file: string, entries: number }>
  /** Files that do not exist (normal: the default list names places that are usually empty). */
  missing: string[]
  /** One line each: a file that could not be used, or a line of one that was skipped. Never fatal. */
  warnings: string[]
}

/**
 * Reads the seed files named in the configuration (`seedFiles`). A missing
 * file is normal; an unreadable, oversized or non-regular one gives a warning
 * and is ignored; bad lines are skipped with a warning. Never throws.
 */
export async function readSeedFiles (files: readonly string[]): Promise<SeedFilesRead> {
  const result: SeedFilesRead = { entries: [], read: [], missing: [], warnings: [] }
  const seen = new Set<string>()
  for (const file of files) {
    let text: string
    try {
      text = await readBounded(file)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        result.missing.push(file)
        continue
      }
      result.warnings.push(err instanceof SeedFileError ? err.message : `${file}: cannot read: ${(err as Error).message}`)
      continue
    }
    let parsed
    try {
      parsed = parseSeedFile(text, file)
    } catch (err) {
      result.warnings.push(err instanceof SeedFileError ? err.message : `${file}: ${String(err)}`)
      continue
    }
    result.warnings.push(...parsed.warnings)
    result.read.push({ file, entries: parsed.entries.length })
    for (const entry of parsed.entries) {
      if (seen.has(entry)) continue
      seen.add(entry)
      result.entries.push(entry)
    }
  }
  return result
}

/** The file's text, reading at most one byte more than a seed file may have (a device or a FIFO is refused before any read). */
async function readBounded (file: string): Promise<string> {
  // O_NONBLOCK: opening a FIFO must not wait for a writer
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new SeedFileError(`${file}: not a regular file, ignored`)
    if (info.size > SEED_FILE_MAX_BYTES) throw new SeedFileError(`${file}: too large (${info.size} bytes; a seed file may have at most ${SEED_FILE_MAX_BYTES}), ignored`)
    const buffer = Buffer.alloc(SEED_FILE_MAX_BYTES + 1)
    let length = 0
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (length > SEED_FILE_MAX_BYTES) throw new SeedFileError(`${file}: too large (more than ${SEED_FILE_MAX_BYTES} bytes), ignored`)
    return buffer.subarray(0, length).toString('utf8')
  } finally {
    await handle.close()
  }
}
