import { randomInt } from '../../crypto/random.js'
import { MAX_FRAME_BYTES, MAX_PADDING_BYTES, MIN_PADDED_FRAME_BYTES, PADDING_BLOCK_BYTES } from '../sessionLimits.js'

/** T§9.1 padding strategies. */
export type PaddingStrategy = 'NONE' | 'BLOCK' | 'RANDOM' | 'POWER_OF_TWO'

export interface PaddingPolicy {
  strategy: PaddingStrategy
  /** BLOCK: pad to a multiple of this (1..256). */
  blockBytes?: number
  /** Every strategy except NONE also pads up to this minimum frame size (T§9.2 rule 3). */
  minFrameBytes?: number
}

export const DEFAULT_PADDING_POLICY: PaddingPolicy = { strategy: 'NONE' }

/**
 * Padding length for a frame of `unpaddedBytes` (header + payload). Never more
 * than 255 (T§9.2) and never more than fits into MAX_FRAME_BYTES; so a strategy
 * can fall short of its target for large frames.
 */
export function paddingLengthFor (unpaddedBytes: number, policy: PaddingPolicy): number {
  let padding = 0
  switch (policy.strategy) {
    case 'NONE': return 0
    case 'BLOCK': {
      const block = policy.blockBytes ?? PADDING_BLOCK_BYTES
      if (!Number.isInteger(block) || block < 1 || block > MAX_PADDING_BYTES + 1) throw new RangeError('padding block size must be 1..256')
      padding = (block - (unpaddedBytes % block)) % block
      break
    }
    case 'RANDOM':
      padding = randomInt(MAX_PADDING_BYTES + 1)
      break
    case 'POWER_OF_TWO': {
      let target = 1
      while (target < unpaddedBytes) target *= 2
      padding = target - unpaddedBytes
      break
    }
  }
  const minimum = (policy.minFrameBytes ?? MIN_PADDED_FRAME_BYTES) - unpaddedBytes
  if (padding < minimum) padding = minimum
  return Math.max(0, Math.min(padding, MAX_PADDING_BYTES, MAX_FRAME_BYTES - unpaddedBytes))
}
