import { performance } from 'node:perf_hooks'
import { randomBytes } from '../../crypto/index.js'
import { permuteInverseInto } from '../blocks/blockPermutation.js'
import { KEY_COUNT_MAX } from '../tunnelConstants.js'
import { worstCaseTransforms } from './keyTreeSearch.js'

/**
 * Smallest key count the calibration ever returns. With N = 1 a hop's choice
 * would be fixed (no randomness at all); on a very slow machine the search
 * then simply takes longer than the budget.
 */
export const KEY_COUNT_FLOOR = 8

export interface Calibration {
  transformsPerSecond: number
  hopCount: number
  budgetMs: number
  /** The largest N whose worst-case search (N + … + N^hops) fits the budget (≥ KEY_COUNT_FLOOR). */
  keyCount: number
  worstCaseTransforms: number
  /** Expected worst-case search time at that N. */
  worstCaseMs: number
}

/**
 * Inverse permutations per second on this thread, measured for about
 * `durationMs`: a warm-up of a third of that (JIT), then five equal windows;
 * the median window's rate, so a short burst of load from other processes
 * does not decide N.
 */
export function measureTransformRate (durationMs = 50): number {
  const key = randomBytes(32)
  const block = randomBytes(64)
  const out = Buffer.alloc(64)
  const warmEnd = performance.now() + durationMs / 3
  for (let i = 0; i < 2000 || performance.now() < warmEnd; i++) permuteInverseInto(key, block, out)
  const windowMs = (durationMs * 2 / 3) / 5
  const rates: number[] = []
  for (let w = 0; w < 5; w++) {
    const start = performance.now()
    let count = 0
    let elapsed = 0
    do {
      for (let i = 0; i < 64; i++) permuteInverseInto(key, i % 2 === 0 ? block : out, i % 2 === 0 ? out : block)
      count += 64
      elapsed = performance.now() - start
    } while (elapsed < windowMs)
    rates.push(count / (elapsed / 1000))
  }
  rates.sort((a, b) => a - b)
  return rates[2] as number
}

/** The largest N in [KEY_COUNT_FLOOR, KEY_COUNT_MAX] with worstCaseTransforms(N × hops) ≤ rate × budget. */
export function keyCountForBudget (transformsPerSecond: number, hopCount: number, budgetMs: number): number {
  if (!(transformsPerSecond > 0) || !Number.isInteger(hopCount) || hopCount < 1 || !(budgetMs > 0)) throw new RangeError('bad calibration input')
  const allowed = transformsPerSecond * budgetMs / 1000
  let n = KEY_COUNT_FLOOR
  while (n < KEY_COUNT_MAX && worstCaseTransforms(new Array<number>(hopCount).fill(n + 1)) <= allowed) n++
  return n
}

export function calibrationFor (transformsPerSecond: number, hopCount: number, budgetMs: number): Calibration {
  const keyCount = keyCountForBudget(transformsPerSecond, hopCount, budgetMs)
  const worst = worstCaseTransforms(new Array<number>(hopCount).fill(keyCount))
  return { transformsPerSecond, hopCount, budgetMs, keyCount, worstCaseTransforms: worst, worstCaseMs: worst / transformsPerSecond * 1000 }
}
