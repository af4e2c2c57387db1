import { permuteInverseInto } from '../blocks/blockPermutation.js'
import { BLOCK_BYTES } from '../tunnelConstants.js'

export interface KeyTreeSearchResult {
  /** The key index chosen by each hop (hop 1 first), or null when no combination checks. */
  keyIndices: number[] | null
  /** The innermost block (the initialisation block in clear) when found. */
  innermost: Buffer | null
  /** Inverse permutations computed. */
  transforms: number
}

/** Worst case of the tree search: N₁ + N₁N₂ + … + N₁⋯Nₙ transforms. */
export function worstCaseTransforms (keyCounts: readonly number[]): number {
  let total = 0
  let level = 1
  for (const n of keyCounts) {
    level *= n
    total += level
  }
  return total
}

/**
 * Finds the key each hop chose by peeling the layered block as a tree: the
 * outermost layer (hop 1) once per key of hop 1, each result's next layer once
 * per key of hop 2, and so on; only the innermost block decides (`accept`),
 * since intermediate layers look random. Depth-first with one buffer per
 * depth, so memory is O(n) and the cost is at most N + N² + … + Nⁿ transforms
 * (not n·Nⁿ). Returns the first accepted combination.
 */
export function searchKeyTree (layered: Uint8Array, hops: ReadonlyArray<ReadonlyArray<Uint8Array>>, accept: (innermost: Buffer) => boolean): KeyTreeSearchResult {
  if (layered.byteLength !== BLOCK_BYTES) throw new RangeError(`layered block must be ${BLOCK_BYTES} bytes`)
  const depth = hops.length
  if (depth < 1) throw new RangeError('search needs at least one hop')
  const levels: Buffer[] = [Buffer.from(layered)]
  for (let i = 0; i < depth; i++) levels.push(Buffer.alloc(BLOCK_BYTES))
  const choice: number[] = new Array<number>(depth).fill(0)
  let transforms = 0

  const visit = (level: number): boolean => {
    const keys = hops[level] as ReadonlyArray<Uint8Array>
    const input = levels[level] as Buffer
    const output = levels[level + 1] as Buffer
    for (let j = 0; j < keys.length; j++) {
      permuteInverseInto(keys[j] as Uint8Array, input, output)
      transforms++
      choice[level] = j
      if (level + 1 === depth) {
        if (accept(output)) return true
      } else if (visit(level + 1)) {
        return true
      }
    }
    return false
  }

  const found = visit(0)
  return {
    keyIndices: found ? [...choice] : null,
    innermost: found ? Buffer.from(levels[depth] as Buffer) : null,
    transforms
  }
}
