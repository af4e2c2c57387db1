import { DecryptionFailedError, type CipherState } from '../noise/cipherState.js'
import type { LengthMask } from './lengthMask.js'
import { RECORD_LENGTH_BYTES, RECORD_TAG_BYTES, recordAssociatedData } from './recordFormat.js'

export class RecordAuthenticationError extends Error {
  constructor (message = 'record failed authentication') {
    super(message)
    this.name = 'RecordAuthenticationError'
  }
}

/** The peer kept one sending key past the rekey policy (T§11.1). */
export class PeerRekeyOverdueError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'PeerRekeyOverdueError'
  }
}

/** What the peer's sealer must keep to (T§11.1); see RekeyPolicy. */
export interface PeerRekeyPolicy {
  /** Records (including the key-update record) the peer may send under one key. */
  maxMessages: number
  /** Age of a receive key (ms, from when this side installed it) past which an ordinary record is refused. */
  maxKeyAgeMs: number
  now: () => number
}

export interface RecordOpenerHandlers {
  /** One authenticated record's plaintext (a frame). May call `stop()` on the opener. */
  record: (plaintext: Buffer) => void
  /** The first failure; after it nothing more is ever delivered. */
  failure: (error: Error) => void
}

/**
 * Receiving half of the record layer: a streaming decoder over arbitrarily
 * chunked input, which it owns (ByteDuplex: each record is decrypted in the
 * chunk's own memory, and its plaintext is a view of it, so a frame kept by
 * the session keeps that chunk alive). Buffers at most one incomplete record
 * (≤ 65553 bytes) beyond the chunk being processed. A record is delivered
 * only after its tag verified; on the first failure the opener stops for
 * good, drops everything buffered and delivers nothing more (invariant 6).
 * With a PeerRekeyPolicy it also stops, with PeerRekeyOverdueError, when the
 * peer keeps one key longer than T§11.1 allows.
 */
export class RecordOpener {
  private readonly chunks: Buffer[] = []
  private buffered = 0
  /** Unmasked length of the record being assembled, or -1 while the length is not read yet. */
  private currentLength = -1
  private stopped = false
  private rekeys = 0
  /** Records received under the current key, the key-update record included. */
  private sinceRekey = 0
  private keyInstalledAt: number

  constructor (private readonly cipher: CipherState, private readonly mask: LengthMask, private readonly handlers: RecordOpenerHandlers, private readonly peerPolicy?: PeerRekeyPolicy) {
    this.keyInstalledAt = peerPolicy?.now() ?? 0
  }

  get isStopped (): boolean {
    return this.stopped
  }

  get rekeyCount (): number {
    return this.rekeys
  }

  /** Bytes currently held waiting for the rest of a record. */
  get bufferedBytes (): number {
    return this.buffered
  }

  push (chunk: Uint8Array): void {
    if (this.stopped || chunk.byteLength === 0) return
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    this.buffered += chunk.byteLength
    while (!this.stopped) {
      if (this.currentLength < 0) {
        if (this.buffered < RECORD_LENGTH_BYTES) return
        this.currentLength = this.take(RECORD_LENGTH_BYTES).readUInt16BE(0) ^ this.mask.nextMask()
      }
      const need = this.currentLength + RECORD_TAG_BYTES
      if (this.buffered < need) return
      const sealed = this.take(need)
      const length = this.currentLength
      this.currentLength = -1
      // decrypted where it lies: `sealed` is a view of a chunk the opener owns (ByteDuplex) or a copy
      const plaintext = sealed.subarray(0, length)
      try {
        this.cipher.decryptIntoWithAd(recordAssociatedData(length), plaintext, sealed.subarray(length), plaintext)
      } catch (error) {
        this.fail(error instanceof DecryptionFailedError ? new RecordAuthenticationError() : error as Error)
        return
      }
      this.sinceRekey++
      if (this.peerPolicy != null && this.sinceRekey > this.peerPolicy.maxMessages) {
        this.fail(new PeerRekeyOverdueError(`the peer sent more than ${this.peerPolicy.maxMessages} records under one key without rekeying`))
        return
      }
      if (plaintext.byteLength === 0) {
        this.cipher.rekey()
        this.rekeys++
        this.sinceRekey = 0
        if (this.peerPolicy != null) this.keyInstalledAt = this.peerPolicy.now()
        continue
      }
      if (this.peerPolicy != null && this.peerPolicy.now() - this.keyInstalledAt > this.peerPolicy.maxKeyAgeMs) {
        this.fail(new PeerRekeyOverdueError(`the peer kept one key for more than ${Math.round(this.peerPolicy.maxKeyAgeMs / 60_000)} min without rekeying`))
        return
      }
      try {
        this.handlers.record(plaintext)
      } catch (error) {
        this.fail(error as Error)
        return
      }
    }
  }

  /** Stops for good without reporting a failure (session closed). */
  stop (): void {
    if (this.stopped) return
    this.stopped = true
    this.chunks.length = 0
    this.buffered = 0
    this.cipher.destroy()
    this.mask.destroy()
  }

  private fail (error: Error): void {
    if (this.stopped) return
    this.stop()
    this.handlers.failure(error)
  }

  /** Removes exactly `count` buffered bytes (count ≤ buffered) as one Buffer: a view when one chunk holds them all, else a copy. */
  private take (count: number): Buffer {
    const first = this.chunks[0] as Buffer
    if (first.byteLength >= count) {
      if (first.byteLength === count) this.chunks.shift()
      else this.chunks[0] = first.subarray(count)
      this.buffered -= count
      return first.subarray(0, count)
    }
    const out = Buffer.allocUnsafe(count)
    let filled = 0
    while (filled < count) {
      const head = this.chunks[0] as Buffer
      const part = Math.min(head.byteLength, count - filled)
      head.copy(out, filled, 0, part)
      filled += part
      if (part === head.byteLength) this.chunks.shift()
      else this.chunks[0] = head.subarray(part)
    }
    this.buffered -= count
    return out
  }
}
