import { open } from 'node:fs/promises'
import { parseApAddress } from '../netdb/apAddress.js'
import { apAddressFromPhantomName, isPhantomName } from '../netdb/phantomName.js'
import { checkPetname } from './petname.js'

/**
 * The petname file (default /etc/phantom/hosts), hosts(5)-style:
 *
 *     # comment
 *     fd50:1234:5678::1                   shop.phantom www.shop.phantom
 *     <52 base32 characters>.phantom      blog.phantom   # trailing comment
 *
 * One entry a line: an AP address (any IPv6 text form inside fd50::/16) or a
 * `.phantom` key name, then one or more petnames (see petname.ts), separated by
 * spaces or tabs. `#` starts a comment. Printable ASCII only. Strict: any error
 * stops loading and names the file and line; a petname may appear only once.
 */
export const DEFAULT_HOSTS_FILE = '/etc/phantom/hosts'
export const HOSTS_FILE_MAX_BYTES = 1024 * 1024
export const HOSTS_LINE_MAX_CHARS = 4096
export const HOSTS_MAX_PETNAMES = 10_000

export class HostsFileError extends Error {
  constructor (readonly file: string, readonly line: number | undefined, detail: string) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`)
    this.name = 'HostsFileError'
  }
}

export interface PetnameEntry {
  ap: Buffer
  /** The `.phantom` key name when the file gave one. */
  keyName?: string
  line: number
}

/** Petname → AP address, read-only once built. */
export class PetnameTable {
  constructor (private readonly entries: ReadonlyMap<string, PetnameEntry> = new Map()) {}

  /** The AP address of a petname (any letter case, one trailing dot allowed). */
  lookup (name: string): Buffer | undefined {
    const key = (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase()
    const entry = this.entries.get(key)
    return entry === undefined ? undefined : Buffer.from(entry.ap)
  }

  get size (): number { return this.entries.size }

  petnames (): string[] { return [...this.entries.keys()] }
}

const PRINTABLE_LINE = /^[\x20-\x7e\t]*$/

export function parseHostsFile (text: string, file: string = DEFAULT_HOSTS_FILE): PetnameTable {
  if (text.length > HOSTS_FILE_MAX_BYTES) throw new HostsFileError(file, undefined, `larger than ${HOSTS_FILE_MAX_BYTES} bytes`)
  const entries = new Map<string, PetnameEntry>()
  const lines = text.split('\n')
  lines.forEach((raw, index) => {
    const lineNumber = index + 1
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    const fail = (detail: string): never => { throw new HostsFileError(file, lineNumber, detail) }
    if (line.length > HOSTS_LINE_MAX_CHARS) fail(`line longer than ${HOSTS_LINE_MAX_CHARS} characters`)
    if (!PRINTABLE_LINE.test(line)) fail('only printable ASCII, spaces and tabs are allowed')
    const content = line.split('#', 1)[0] as string
    const fields = content.split(/[ \t]+/).filter(f => f !== '')
    if (fields.length === 0) return
    const [target, ...petnames] = fields as [string, ...string[]]
    if (petnames.length === 0) fail(`${JSON.stringify(target)} has no petname after it`)
    let ap: Buffer
    let keyName: string | undefined
    if (isPhantomName(target)) {
      keyName = target.toLowerCase()
      ap = apAddressFromPhantomName(keyName)
    } else {
      try {
        ap = parseApAddress(target)
      } catch {
        return fail(`${JSON.stringify(target)} is neither an AP address (inside fd50::/16) nor a .phantom key name`)
      }
    }
    for (const text of petnames) {
      const checked = checkPetname(text)
      if ('error' in checked) fail(checked.error)
      const { petname } = checked as { petname: string }
      const previous = entries.get(petname)
      if (previous !== undefined) fail(`petname ${JSON.stringify(petname)} is already defined on line ${previous.line}`)
      if (entries.size >= HOSTS_MAX_PETNAMES) fail(`more than ${HOSTS_MAX_PETNAMES} petnames`)
      const entry: PetnameEntry = { ap, line: lineNumber }
      if (keyName !== undefined) entry.keyName = keyName
      entries.set(petname, entry)
    }
  })
  return new PetnameTable(entries)
}

/**
 * Reads and parses the hosts file. A missing file is an empty table when
 * `missingOk` (the default: a node needs no petnames); any other problem is a
 * HostsFileError naming the file.
 */
export async function loadHostsFile (file: string = DEFAULT_HOSTS_FILE, options: { missingOk?: boolean } = {}): Promise<PetnameTable> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && options.missingOk !== false) return new PetnameTable()
    throw new HostsFileError(file, undefined, `cannot be read: ${code ?? (error as Error).message}`)
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new HostsFileError(file, undefined, 'is not a regular file')
    if (info.size > HOSTS_FILE_MAX_BYTES) throw new HostsFileError(file, undefined, `larger than ${HOSTS_FILE_MAX_BYTES} bytes`)
    // Read at most one byte past the limit, whatever the file grew to since stat.
    const buffer = Buffer.alloc(HOSTS_FILE_MAX_BYTES + 1)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    if (bytesRead > HOSTS_FILE_MAX_BYTES) throw new HostsFileError(file, undefined, `larger than ${HOSTS_FILE_MAX_BYTES} bytes`)
    return parseHostsFile(buffer.subarray(0, bytesRead).toString('latin1'), file)
  } finally {
    await handle.close()
  }
}
