import { oneLine } from './configError.js'

/**
 * The name of an option or list entry as messages show it:
 * `['network', 'allowPrivateAddresses']` → `network.allowPrivateAddresses`,
 * `['listen', 1]` → `listen[1]`; odd keys are quoted, `["a b"]`.
 */
export function formatField (path: ReadonlyArray<string | number>): string {
  let text = ''
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`
    else text += `[${oneLine(JSON.stringify(segment))}]`
  }
  return text
}
