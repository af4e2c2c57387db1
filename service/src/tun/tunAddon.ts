import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, parse } from 'node:path'
import { fileURLToPath } from 'node:url'

export const TUN_ADDON_FILE = 'phantom_tun.node'
export const TUN_ADDON_RELATIVE_PATH = join('native', 'build', 'Release', TUN_ADDON_FILE)

/** One open TUN device as the C addon exposes it (service/native/src/phantom_tun.c). */
export interface NativeTunHandle {
  /** The name the kernel gave the interface. */
  readonly name: string
  /** One write(2): bytes written, or -EAGAIN when the fd would block (nothing written). Throws on other errors. */
  write (packet: Uint8Array): number
  setReading (on: boolean): void
  /** Ask for one onWritable() call once the fd is writable. */
  setWatchWritable (on: boolean): void
  /** Stops the poll and closes the fd. Idempotent. */
  close (): void
  isClosed (): boolean
}

export interface TunAddon {
  TunHandle: new (
    name: string,
    readBufferSize: number,
    onPackets: (packets: Buffer[]) => void,
    onError: (error: Error) => void,
    onWritable: () => void
  ) => NativeTunHandle
  EAGAIN: number
  MAX_BATCH: number
  MIN_READ_BUFFER: number
  MAX_READ_BUFFER: number
}

/**
 * Finds native/build/Release/phantom_tun.node by walking up from `startDir`
 * (by default this module's own folder). That works from source
 * (service/src/tun), compiled (service/dist/src/tun) and installed
 * (/usr/lib/phantom-node/dist/src/tun) alike.
 */
export function findTunAddon (startDir = dirname(fileURLToPath(import.meta.url))): string {
  const tried: string[] = []
  let dir = startDir
  for (;;) {
    const candidate = join(dir, TUN_ADDON_RELATIVE_PATH)
    if (existsSync(candidate)) return candidate
    tried.push(candidate)
    if (dir === parse(dir).root) break
    dir = dirname(dir)
  }
  throw new Error(`TUN addon ${TUN_ADDON_FILE} not found (looked for ${TUN_ADDON_RELATIVE_PATH} in ${startDir} and every parent folder); build it with 'npm run build:native' in service/`)
}

let loaded: TunAddon | undefined

/** Loads the addon once per process. */
export function loadTunAddon (): TunAddon {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url)
    loaded = require(findTunAddon()) as TunAddon
  }
  return loaded
}
