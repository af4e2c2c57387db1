/**
 * The owner is the ring successor of the last member: the returning array
 * arrives on a new inbound /phantom/setup stream. Pending builds register the
 * link ID the last member will present; the setup handler hands a matching
 * stream to the build (which then checks sender and array exactly).
 */
import type { Stream } from '@libp2p/interface'
import type { ExactReader } from '../network/exactReader.js'
import type { SetupMessage } from '../setup/setupMessage.js'
import type { WireTap } from './wireTap.js'

export interface ReturnedStream {
  stream: Stream
  reader: ExactReader
  tap: WireTap
  senderPeerId: Buffer
  message: SetupMessage
}

export class OwnerReturns {
  private readonly pending = new Map<string, (returned: ReturnedStream) => void>()

  /** Waits for the stream presenting `linkId`; the returned cancel function unregisters. */
  expect (linkId: Uint8Array, onReturn: (returned: ReturnedStream) => void): () => void {
    const key = Buffer.from(linkId).toString('hex')
    this.pending.set(key, onReturn)
    return () => { if (this.pending.get(key) === onReturn) this.pending.delete(key) }
  }

  /** True when a pending build took the stream (single use). */
  claim (returned: ReturnedStream): boolean {
    const key = returned.message.linkId.toString('hex')
    const onReturn = this.pending.get(key)
    if (onReturn == null) return false
    this.pending.delete(key)
    onReturn(returned)
    return true
  }

  get size (): number {
    return this.pending.size
  }
}
