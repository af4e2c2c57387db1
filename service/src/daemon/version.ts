import { readFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

/** The phantom-node version, from the nearest service package.json (works from src/, dist/ and the installed package). */
export function phantomVersion (): string {
  if (cached != null) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'phantom-node' && typeof pkg.version === 'string') {
        cached = pkg.version
        return cached
      }
    }
    dir = dirname(dir)
  }
  cached = '0.0.0-unknown'
  return cached
}
