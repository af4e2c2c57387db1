import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The service/ folder, found from this file whether it runs from test/ or dist/test/. */
export function serviceDir (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'bin', 'phantom-node.js')) && existsSync(join(dir, 'package.json'))) return dir
    dir = dirname(dir)
  }
  throw new Error('cannot find the service directory')
}

export function daemonEntry (): string {
  return join(serviceDir(), 'bin', 'phantom-node.js')
}

export function phantomctlEntry (): string {
  return join(serviceDir(), 'bin', 'phantomctl.js')
}
