import { multiaddrProblem } from '../config/multiaddrCheck.js'

/**
 * The seed file: a peer list that bootstraps a node with no mDNS neighbours
 * (`seedFiles` in the configuration; written by `phantomctl peers export`).
 *
 * UTF-8 text, one bootstrap multiaddr per line, the same rule as the
 * configuration's `bootstrap` entries (a transport address ending in exactly
 * one `/p2p/<peer id>`). Blank lines and lines starting with `#` are ignored;
 * surrounding spaces, a final `\r` (a file edited on Windows) and a leading
 * byte-order mark are tolerated.
 *
 * A seed file comes from a USB stick or a second disk: untrusted. The parser
 * refuses a file larger than SEED_FILE_MAX_BYTES as a whole (SeedFileError);
 * otherwise it never throws: a bad or over-long line is skipped with a warning
 * naming the file, the line number and what was expected, and the good lines
 * are still used. At most SEED_FILE_MAX_ENTRIES distinct entries and
 * SEED_FILE_MAX_WARNINGS warnings are returned.
 */
export const SEED_FILE_MAX_BYTES = 64 * 1024
export const SEED_FILE_MAX_ENTRIES = 256
/** The longest line (in characters, spaces included): the configuration's limit on one multiaddr. */
export const SEED_FILE_MAX_LINE_CHARS = 1024
export const SEED_FILE_MAX_WARNINGS = 20

export class SeedFileError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'SeedFileError'
  }
}

export interface SeedFileContent {
  /** Distinct bootstrap multiaddrs in file order, at most SEED_FILE_MAX_ENTRIES. */
  entries: string[]
  /** One line each, `FILE:LINE: what is wrong`; at most SEED_FILE_MAX_WARNINGS (+1 summary line). */
  warnings: string[]
}

/** Parses a seed file's text; `fileName` is used in warnings only. Throws SeedFileError only for an oversized file. */
export function parseSeedFile (text: string, fileName: string): SeedFileContent {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > SEED_FILE_MAX_BYTES) throw new SeedFileError(`${fileName}: too large (${bytes} bytes; a seed file may have at most ${SEED_FILE_MAX_BYTES})`)
  const entries: string[] = []
  const seen = new Set<string>()
  const warnings: string[] = []
  let moreWarnings = 0
  const warn = (message: string): void => {
    if (warnings.length < SEED_FILE_MAX_WARNINGS) warnings.push(message)
    else moreWarnings++
  }
  const lines = text.split('\n')
  let ignoredEntries = 0
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string
    if (i === 0 && line.startsWith('\uFEFF')) line = line.slice(1)
    line = line.trim()
    if (line === '' || line.startsWith('#')) continue
    if (line.length > SEED_FILE_MAX_LINE_CHARS) {
      warn(`${fileName}:${i + 1}: line too long (${line.length} characters; at most ${SEED_FILE_MAX_LINE_CHARS}), skipped`)
      continue
    }
    const problem = multiaddrProblem(line, 'bootstrap')
    if (problem !== undefined) {
      warn(`${fileName}:${i + 1}: ${problem}, skipped`)
      continue
    }
    if (seen.has(line)) continue
    if (entries.length >= SEED_FILE_MAX_ENTRIES) {
      ignoredEntries++
      continue
    }
    seen.add(line)
    entries.push(line)
  }
  if (ignoredEntries > 0) warn(`${fileName}: more than ${SEED_FILE_MAX_ENTRIES} entries; the last ${ignoredEntries} ignored`)
  if (moreWarnings > 0) warnings.push(`${fileName}: ${moreWarnings} more problems not shown`)
  return { entries, warnings }
}

export interface SeedFileHeader {
  /** Who wrote it, e.g. `phantomctl peers export on node 12D3KooW…`. */
  writtenBy: string
  writtenAt: Date
}

/**
 * The text of a seed file: a header comment, then the entries that pass the
 * parser's rules, in order, distinct, as many as the bounds allow. Whatever
 * this returns, parseSeedFile reads back the same entries with no warning.
 */
export function formatSeedFile (entries: readonly string[], header: SeedFileHeader): string {
  const head = [
    '# Phantom seed file: one peer address (multiaddr ending in /p2p/<peer id>) per line.',
    `# Written by ${oneLine(header.writtenBy)} at ${header.writtenAt.toISOString()}.`,
    '# Copy it to /etc/phantom/seeds.txt, or as seeds.txt onto a disk labelled PHANTOMSEED.'
  ].join('\n') + '\n'
  let text = head
  let bytes = Buffer.byteLength(head, 'utf8')
  const seen = new Set<string>()
  for (const raw of entries) {
    const entry = raw.trim()
    if (seen.has(entry) || seen.size >= SEED_FILE_MAX_ENTRIES) continue
    if (entry.length > SEED_FILE_MAX_LINE_CHARS || multiaddrProblem(entry, 'bootstrap') !== undefined) continue
    const lineBytes = Buffer.byteLength(entry, 'utf8') + 1
    if (bytes + lineBytes > SEED_FILE_MAX_BYTES) break
    seen.add(entry)
    text += entry + '\n'
    bytes += lineBytes
  }
  return text
}

function oneLine (text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200)
}

/**
 * Checks a list of peer addresses received as values rather than as a file
 * (the control method `peers.import`) with the seed file's rules: at most
 * SEED_FILE_MAX_ENTRIES entries, each a string of at most
 * SEED_FILE_MAX_LINE_CHARS characters (after trimming surrounding spaces)
 * that is a bootstrap multiaddr ending in one `/p2p/<peer id>`, and all of
 * them together (one per line) at most SEED_FILE_MAX_BYTES, so the list could
 * be a seed file's body. Unlike parseSeedFile it is strict: the first bad
 * entry is a SeedFileError naming `source` and the entry's index (0-based),
 * since an array has no comments or blank lines to tolerate. Returns the
 * distinct trimmed entries in order. Never throws anything but SeedFileError.
 */
export function checkSeedEntries (entries: readonly unknown[], source: string): string[] {
  if (entries.length > SEED_FILE_MAX_ENTRIES) throw new SeedFileError(`${source}: ${entries.length} addresses; at most ${SEED_FILE_MAX_ENTRIES} (SEED_FILE_MAX_ENTRIES) in one list`)
  const out: string[] = []
  const seen = new Set<string>()
  let bytes = 0
  for (let i = 0; i < entries.length; i++) {
    const raw = entries[i]
    if (typeof raw !== 'string') throw new SeedFileError(`${source}[${i}]: not a string`)
    const entry = raw.trim()
    if (entry.length > SEED_FILE_MAX_LINE_CHARS) throw new SeedFileError(`${source}[${i}]: too long (${entry.length} characters; at most ${SEED_FILE_MAX_LINE_CHARS})`)
    const problem = multiaddrProblem(entry, 'bootstrap')
    if (problem !== undefined) throw new SeedFileError(`${source}[${i}]: ${problem}`)
    if (seen.has(entry)) continue
    bytes += Buffer.byteLength(entry, 'utf8') + 1
    if (bytes > SEED_FILE_MAX_BYTES) throw new SeedFileError(`${source}: the addresses take more than ${SEED_FILE_MAX_BYTES} bytes (SEED_FILE_MAX_BYTES), one per line`)
    seen.add(entry)
    out.push(entry)
  }
  return out
}
