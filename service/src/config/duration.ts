/**
 * Durations in the configuration file are strings such as `500ms`, `90s`,
 * `20m`, `1h`, `2d` or compounds such as `1h30m`; the daemon sees them as
 * whole numbers of milliseconds.
 */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const DURATION_SYNTAX = /^(?:\d+(?:ms|s|m|h|d))+$/
const DURATION_PART = /(\d+)(ms|s|m|h|d)/g
/** Longer strings than this are not durations anyone means; bounds the work on hostile input. */
const MAX_DURATION_TEXT = 32

export const DURATION_EXAMPLES = '90s, 20m, 1h, 2d, 500ms or 1h30m'

/** Milliseconds for a duration string, or undefined when the text is not a duration. */
export function parseDuration (text: string): number | undefined {
  if (text.length === 0 || text.length > MAX_DURATION_TEXT || !DURATION_SYNTAX.test(text)) return undefined
  let total = 0
  for (const match of text.matchAll(DURATION_PART)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number)
  }
  return Number.isSafeInteger(total) ? total : undefined
}

/** The shortest duration string for a whole number of milliseconds, e.g. 5_400_000 → `1h30m`, 0 → `0s`. */
export function formatDuration (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration: ${ms}`)
  let rest = Math.round(ms)
  if (rest === 0) return '0s'
  let text = ''
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit] as number
    const count = Math.floor(rest / size)
    if (count > 0) {
      text += `${count}${unit}`
      rest -= count * size
    }
  }
  return text
}
