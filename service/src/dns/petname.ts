import { isPhantomName } from '../netdb/phantomName.js'

/**
 * Petnames: local, human names for AP addresses, from the hosts file. A petname
 * is a host name under `.phantom` (so systemd-resolved's `~phantom` routing
 * sends it to our resolver, and SOCKS clients pass it through unchanged):
 * two or more labels, the last one "phantom", every other label 1..63 letters,
 * digits or hyphens (not starting or ending with a hyphen), at most 253
 * characters, compared case-insensitively. A petname may not itself be a
 * `.phantom` key name (that would let a local file shadow a self-certifying name).
 */
export const PETNAME_MAX_LENGTH = 253
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** The canonical (lower-case) petname, or an Error message saying what is wrong. */
export function checkPetname (text: string): { petname: string } | { error: string } {
  const name = text.toLowerCase()
  if (name.length > PETNAME_MAX_LENGTH) return { error: `petname longer than ${PETNAME_MAX_LENGTH} characters` }
  const labels = name.split('.')
  if (labels.length < 2 || labels[labels.length - 1] !== 'phantom') return { error: `petname ${JSON.stringify(text)} must end in ".phantom" (e.g. "shop.phantom")` }
  for (const label of labels.slice(0, -1)) {
    if (!LDH_LABEL.test(label)) return { error: `petname ${JSON.stringify(text)}: label ${JSON.stringify(label)} must be 1..63 letters, digits or inner hyphens` }
  }
  if (isPhantomName(name)) return { error: `petname ${JSON.stringify(text)} is a .phantom key name, which needs no petname` }
  return { petname: name }
}
