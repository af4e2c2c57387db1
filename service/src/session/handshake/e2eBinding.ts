import { ed25519Sign, ed25519Verify } from '../../crypto/signing.js'
import { deriveApAddress } from '../../netdb/apAddress.js'

const BINDING_LABEL = Buffer.from('phantom-e2e-bind-v1', 'ascii')

/** The signed message: "phantom-e2e-bind-v1" || AP address (16) || e2e static public key (32). */
export function e2eBindingMessage (apAddress: Uint8Array, e2ePublicKey: Uint8Array): Buffer {
  if (apAddress.byteLength !== 16) throw new RangeError('AP address must be 16 bytes')
  if (e2ePublicKey.byteLength !== 32) throw new RangeError('e2e public key must be 32 bytes')
  return Buffer.concat([BINDING_LABEL, apAddress, e2ePublicKey])
}

/** The routing key's signature binding the e2e key to the AP address derived from the routing key. */
export function signE2eBinding (routingSecretKey: Uint8Array, routingPublicKey: Uint8Array, e2ePublicKey: Uint8Array): Buffer {
  return ed25519Sign(e2eBindingMessage(deriveApAddress(routingPublicKey), e2ePublicKey), routingSecretKey)
}

/** The AP address the binding proves, or null when the signature does not verify. */
export function verifyE2eBinding (routingPublicKey: Uint8Array, e2ePublicKey: Uint8Array, signature: Uint8Array): Buffer | null {
  if (routingPublicKey.byteLength !== 32 || e2ePublicKey.byteLength !== 32) return null
  const apAddress = deriveApAddress(routingPublicKey)
  return ed25519Verify(signature, e2eBindingMessage(apAddress, e2ePublicKey), routingPublicKey) ? apAddress : null
}
