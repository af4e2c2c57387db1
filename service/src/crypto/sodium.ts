/**
 * The one place that loads sodium-native. Every primitive in the project goes
 * through the thin wrappers in this folder, never through another library.
 */
import { createRequire } from 'node:module'
import type * as SodiumNative from 'sodium-native'

const require = createRequire(import.meta.url)

/** Functions sodium-native 5 has that @types/sodium-native does not describe yet. */
export interface SodiumNativeExtras {
  crypto_stream_xchacha20: (c: Buffer, n: Buffer, k: Buffer) => void
  crypto_stream_xchacha20_xor: (c: Buffer, m: Buffer, n: Buffer, k: Buffer) => void
  crypto_stream_xchacha20_xor_ic: (c: Buffer, m: Buffer, n: Buffer, ic: number, k: Buffer) => void
  crypto_stream_xchacha20_KEYBYTES: number
  crypto_stream_xchacha20_NONCEBYTES: number
}

export const sodium: typeof SodiumNative & SodiumNativeExtras = require('sodium-native')
