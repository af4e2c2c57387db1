import { parseApAddress } from './apAddress.js'
import { apAddressFromPhantomName, isPhantomName } from './phantomName.js'

/** An AP address given as text: the address itself (fd50::/16) or a `.phantom` name (the address is derived locally). */
export function apAddressOfTarget (text: string): Buffer {
  const t: string = text.trim().toLowerCase().replace(/\.$/, '')
  if (isPhantomName(t as unknown)) return apAddressFromPhantomName(t)
  return parseApAddress(t.replace(/^\[(.*)\]$/, '$1'))
}
