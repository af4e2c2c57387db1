import { sodium } from './sodium.js'

/** `length` bytes from libsodium's CSPRNG. */
export function randomBytes (length: number): Buffer {
  const out = Buffer.alloc(length)
  sodium.randombytes_buf(out)
  return out
}

/** A uniformly random integer in [0, upperExclusive). */
export function randomInt (upperExclusive: number): number {
  if (!Number.isInteger(upperExclusive) || upperExclusive <= 0 || upperExclusive > 0xffffffff) {
    throw new RangeError(`randomInt: bound must be an integer in 1..2^32, got ${upperExclusive}`)
  }
  return sodium.randombytes_uniform(upperExclusive)
}

/** Fisher–Yates shuffle in place with the CSPRNG. */
export function shuffleInPlace<T> (items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    const tmp = items[i] as T
    items[i] = items[j] as T
    items[j] = tmp
  }
  return items
}
