import { AP_ADDRESS_BYTES } from '../tunnelConstants.js'

/** True for a 16-byte address in the AP network fd50::/16. */
export function isApAddress (bytes: Uint8Array): boolean {
  return bytes.byteLength === AP_ADDRESS_BYTES && bytes[0] === 0xfd && bytes[1] === 0x50
}
