/**
 * A path's link stream after linking (PROTOCOL.md §7): a sequence of 64-byte
 * tunnel-request blocks in both directions (probes toward the terminating
 * node, inbound initialisation blocks toward the owner). Blocks are cut from
 * the byte stream as they complete; nothing else is buffered. A neighbour
 * that sends faster than `blocksPerSecond` (burst `burst`) has the excess
 * dropped silently, so it cannot flush the hop cache of honest requests.
 */
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { BLOCK_BYTES } from '../tunnelConstants.js'

export const LINK_BLOCKS_PER_SECOND = 200
export const LINK_BLOCK_BURST = 400

export interface LinkBlockChannelOptions {
  blocksPerSecond?: number
  burst?: number
  now?: () => number
}

export class LinkBlockChannel {
  private partial = Buffer.alloc(0)
  private tokens: number
  private lastRefill: number
  private readonly rate: number
  private readonly burst: number
  private readonly now: () => number
  dropped = 0

  constructor (readonly stream: Stream, private readonly onBlock: (block: Buffer) => void, options: LinkBlockChannelOptions = {}) {
    this.rate = options.blocksPerSecond ?? LINK_BLOCKS_PER_SECOND
    this.burst = options.burst ?? LINK_BLOCK_BURST
    this.now = options.now ?? Date.now
    this.tokens = this.burst
    this.lastRefill = this.now()
    stream.addEventListener('message', this.onMessage)
  }

  /** Sends one block; false when the stream is gone or congested (the block is dropped, like any lost request). */
  send (block: Uint8Array): boolean {
    if (block.byteLength !== BLOCK_BYTES || this.stream.status !== 'open' || this.stream.writableNeedsDrain) return false
    try {
      this.stream.send(block)
      return true
    } catch {
      return false
    }
  }

  detach (): void {
    this.stream.removeEventListener('message', this.onMessage)
  }

  private take (): boolean {
    const now = this.now()
    this.tokens = Math.min(this.burst, this.tokens + (now - this.lastRefill) * this.rate / 1000)
    this.lastRefill = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  private readonly onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => {
    const data = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray()
    let bytes = this.partial.byteLength === 0 ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.concat([this.partial, data])
    while (bytes.byteLength >= BLOCK_BYTES) {
      const block = Buffer.from(bytes.subarray(0, BLOCK_BYTES))
      bytes = bytes.subarray(BLOCK_BYTES)
      if (!this.take()) { this.dropped++; continue }
      this.onBlock(block)
    }
    this.partial = Buffer.from(bytes)
  }
}
