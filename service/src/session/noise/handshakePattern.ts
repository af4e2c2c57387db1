/** Noise handshake patterns (rev 34 §7): pre-messages and message token lists. PSK patterns are not supported. */
export type NoiseToken = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss'

export interface HandshakePattern {
  name: string
  /** Public keys the initiator's / responder's side knows beforehand, in pre-message order. */
  initiatorPreMessage: Array<'e' | 's'>
  responderPreMessage: Array<'e' | 's'>
  /** Messages alternate initiator → responder, responder → initiator, starting with the initiator. */
  messages: NoiseToken[][]
}

const PATTERNS: Record<string, HandshakePattern> = {
  NN: { name: 'NN', initiatorPreMessage: [], responderPreMessage: [], messages: [['e'], ['e', 'ee']] },
  NK: { name: 'NK', initiatorPreMessage: [], responderPreMessage: ['s'], messages: [['e', 'es'], ['e', 'ee']] },
  XX: { name: 'XX', initiatorPreMessage: [], responderPreMessage: [], messages: [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']] },
  IK: { name: 'IK', initiatorPreMessage: [], responderPreMessage: ['s'], messages: [['e', 'es', 's', 'ss'], ['e', 'ee', 'se']] }
}

export function handshakePatternByName (name: string): HandshakePattern {
  const pattern = PATTERNS[name]
  if (pattern == null) throw new Error(`unsupported Noise handshake pattern: ${name}`)
  return pattern
}

export interface NoiseProtocolName {
  pattern: HandshakePattern
  hashName: string
}

/** Parses "Noise_<pattern>_25519_ChaChaPoly_<hash>"; only DH 25519 and cipher ChaChaPoly are supported. */
export function parseNoiseProtocolName (protocolName: string): NoiseProtocolName {
  const parts = protocolName.split('_')
  if (parts.length !== 5 || parts[0] !== 'Noise') throw new Error(`malformed Noise protocol name: ${protocolName}`)
  if (parts[2] !== '25519') throw new Error(`unsupported Noise DH: ${parts[2]}`)
  if (parts[3] !== 'ChaChaPoly') throw new Error(`unsupported Noise cipher: ${parts[3]}`)
  return { pattern: handshakePatternByName(parts[1] as string), hashName: parts[4] as string }
}
