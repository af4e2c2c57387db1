import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { x25519Generate, x25519PublicFromSecret, type X25519KeyPair } from '../crypto/keyAgreement.js'
import { writeFileAtomic } from './atomicFile.js'
import { StateFileError } from './stateError.js'
import { decodePathBuildingKeyFile, encodePathBuildingKeyFile, type PathBuildingKeyEntry } from './pathBuildingKeyFile.js'

export const PATH_BUILDING_KEY_FILE = 'path-building.key'

export interface PathBuildingKeySchedule {
  /** How long a key is announced before a new one replaces it. */
  rotateAfterMs: number
  /** How long a replaced key still opens setup packages. */
  graceMs: number
}

export interface ActivePathBuildingKey extends X25519KeyPair {
  notAfter: number
}

/**
 * The node's X25519 path-building key (`pbk`, PROTOCOL.md §2): rotated every
 * `rotateAfterMs`, the previous secret kept for `graceMs` so that setups built
 * against the old node record still open. Persisted atomically, mode 0600.
 */
export class PathBuildingKeyStore {
  private entries: PathBuildingKeyEntry[] = []

  private constructor (private readonly file: string, private readonly schedule: PathBuildingKeySchedule, private readonly clock: () => number) {}

  static async open (dataDir: string, schedule: PathBuildingKeySchedule, clock: () => number = Date.now): Promise<PathBuildingKeyStore> {
    const store = new PathBuildingKeyStore(join(dataDir, PATH_BUILDING_KEY_FILE), schedule, clock)
    let bytes: Buffer | undefined
    try {
      bytes = await readFile(store.file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StateFileError(store.file, `cannot read: ${(err as Error).message}`)
    }
    if (bytes != null) {
      try {
        store.entries = decodePathBuildingKeyFile(bytes)
      } catch (err) {
        throw new StateFileError(store.file, `path-building key file is corrupt (${(err as Error).message}); move it away to create a new key`)
      }
    }
    await store.rotateIfDue()
    return store
  }

  /** Rotates when the current key has reached its notAfter (or none exists). Returns true when it rotated. */
  async rotateIfDue (): Promise<boolean> {
    const now = this.clock()
    const current = this.entries[0]
    if (current != null && current.notAfter > now) {
      this.dropExpiredPrevious(now)
      return false
    }
    const fresh = x25519Generate()
    const next: PathBuildingKeyEntry = { createdAt: now, notAfter: now + this.schedule.rotateAfterMs, secretKey: Buffer.from(fresh.secretKey) }
    this.entries = current != null ? [next, current] : [next]
    this.dropExpiredPrevious(now)
    await writeFileAtomic(this.file, encodePathBuildingKeyFile(this.entries))
    return true
  }

  private dropExpiredPrevious (now: number): void {
    const previous = this.entries[1]
    if (previous != null && previous.notAfter + this.schedule.graceMs <= now) this.entries = this.entries.slice(0, 1)
  }

  /** The key announced in the node record now. */
  current (): ActivePathBuildingKey {
    const entry = this.entries[0]
    if (entry == null) throw new Error('path-building key store not initialised')
    return { publicKey: x25519PublicFromSecret(entry.secretKey), secretKey: entry.secretKey, notAfter: entry.notAfter }
  }

  /** Every key that may still open a setup package (current, and the previous one within its grace). */
  usable (): ActivePathBuildingKey[] {
    const now = this.clock()
    return this.entries
      .filter((e, i) => i === 0 || e.notAfter + this.schedule.graceMs > now)
      .map(e => ({ publicKey: x25519PublicFromSecret(e.secretKey), secretKey: e.secretKey, notAfter: e.notAfter }))
  }

  /** Milliseconds until the next rotation is due. */
  msUntilRotation (): number {
    return Math.max(0, (this.entries[0]?.notAfter ?? 0) - this.clock())
  }
}
