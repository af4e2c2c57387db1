import { constants } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { ConfigError } from './configError.js'
import { defaultConfig, MAX_CONFIG_BYTES, parseConfig } from './parseConfig.js'
import type { PhantomConfig } from './phantomConfig.js'

/** Where the daemon looks when no `--config FILE` is given. */
export const DEFAULT_CONFIG_PATH = '/etc/phantom/phantom.yaml'

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error'
}

/**
 * Reads and parses a configuration file. A missing file gives the defaults
 * when `mustExist` is false (the daemon's default path), a ConfigError when
 * true (a file named with --config). Anything else that stops the file from
 * being read (a directory, no permission, not valid UTF-8, too large) is a
 * ConfigError; so is every problem with its content. An empty file or one
 * holding only comments gives the defaults.
 */
export async function loadConfig (file: string, options: { mustExist: boolean }): Promise<PhantomConfig> {
  const text = await readConfigText(file, options.mustExist)
  return text === undefined ? defaultConfig() : parseConfig(text, file)
}

async function readConfigText (file: string, mustExist: boolean): Promise<string | undefined> {
  const cannotRead = (reason: string): ConfigError => new ConfigError({ file, problem: `cannot read file: ${reason}` })
  try {
    const info = await stat(file)
    if (info.isDirectory()) throw cannotRead('EISDIR (is a directory, expected a YAML file)')
    // FIFOs, devices and sockets could block or never end.
    if (!info.isFile()) throw cannotRead('not a regular file')
    if (info.size > MAX_CONFIG_BYTES) throw tooLarge(file, info.size)
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
    try {
      // The path may have been replaced between stat and open.
      if (!(await handle.stat()).isFile()) throw cannotRead('not a regular file')
      // Read at most one byte more than allowed, in case the file grew since stat.
      const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1)
      let length = 0
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
        if (bytesRead === 0) break
        length += bytesRead
      }
      if (length > MAX_CONFIG_BYTES) throw tooLarge(file, length)
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length))
      } catch {
        throw cannotRead('not valid UTF-8 text')
      }
    } finally {
      await handle.close()
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err
    const code = (err as NodeJS.ErrnoException).code ?? 'error'
    if (code === 'ENOENT' && !mustExist) return undefined
    throw cannotRead(`${code} (${REASONS[code] ?? firstLine(err)})`)
  }
}

function tooLarge (file: string, bytes: number): ConfigError {
  return new ConfigError({ file, problem: `file too large (${bytes} bytes; a configuration file may have at most ${MAX_CONFIG_BYTES})` })
}

function firstLine (err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? ''
}
