import { constantTimeEqual, randomInt } from '../../crypto/index.js'
import { permuteForward, permuteInverse } from '../blocks/blockPermutation.js'
import { encodeConfirmationBlock } from '../blocks/confirmationBlock.js'
import { buildInitBlock, type InitBlock } from '../blocks/initBlock.js'
import { decodeOpaqueBlock, makeDummyBlock } from '../blocks/opaqueBlock.js'
import { decodeReplyBlock, type ReplyFields } from '../blocks/replyBlock.js'
import type { TunnelKeySet } from '../keys/tunnelKeySet.js'
import { HopCache } from '../hop/hopCache.js'
import { HopTunnel } from '../hop/hopTunnel.js'
import type { TunnelHopOptions } from '../hop/tunnelHop.js'
import { BLOCK_BYTES } from '../tunnelConstants.js'

/** Outbound tunnel waiting at Xn for the owner's reply. */
export interface PendingOutbound {
  readonly keyIndex: number
  readonly init: InitBlock
  /** Xn's transform of the probe (its "first block out"). */
  readonly probeOut: Buffer
}

interface PendingInbound {
  keyIndex: number
  init: InitBlock
}

export interface TerminalTunnel {
  init: InitBlock
  reply: ReplyFields
  hop: HopTunnel
}

/**
 * The terminating node Xn's side of tunnel setup.
 *
 * Outbound: `answerProbe` (steps 2–3: random key, build and transform the
 * initialisation block, return the probe as received plus the layered block
 * for a new tunnel stream to the predecessor), then `readReply` (step 6:
 * undo its layer, check the reply against its initialisation block), then
 * `confirmation` (the random confirmation block, layered by Xn).
 *
 * Inbound: `startInbound` (an apconnect for AP address A arrived: build the
 * initialisation block carrying A, transform with a random key, cache, send on
 * the path link), then `acceptOwnerBlocks` (the owner's new tunnel stream
 * brings the cached block and the reply), then one dummy block each way.
 */
export class TerminatingHop {
  private readonly inbound: HopCache<PendingInbound>

  constructor (private readonly keys: TunnelKeySet, private readonly options: TunnelHopOptions = {}) {
    if (keys.length < 1) throw new RangeError('a hop needs at least one tunnel key')
    this.inbound = new HopCache<PendingInbound>(options.cache)
  }

  answerProbe (probe: Uint8Array): { probeBack: Buffer, layeredInit: Buffer, pending: PendingOutbound } | null {
    if (probe.byteLength !== BLOCK_BYTES) return null
    const keyIndex = randomInt(this.keys.length)
    const key = this.keys[keyIndex] as Buffer
    const init = buildInitBlock('outbound')
    return {
      probeBack: Buffer.from(probe),
      layeredInit: permuteForward(key, init.bytes),
      pending: { keyIndex, init, probeOut: permuteForward(key, probe) }
    }
  }

  /** The reply block as it arrives (one layer, Xn's, left); null when it does not check. */
  readReply (pending: PendingOutbound, block: Uint8Array): TerminalTunnel | null {
    if (block.byteLength !== BLOCK_BYTES) return null
    const key = this.keys[pending.keyIndex] as Buffer
    let reply: ReplyFields
    try {
      reply = decodeReplyBlock(permuteInverse(key, block), pending.init)
    } catch {
      return null
    }
    return { init: pending.init, reply, hop: new HopTunnel(pending.keyIndex, key, pending.probeOut, pending.init.bytes, this.options.observer) }
  }

  /** The confirmation block Xn sends toward the owner once its apconnect succeeded. */
  confirmation (tunnel: TerminalTunnel): Buffer {
    return tunnel.hop.blockAgainstSetup(encodeConfirmationBlock(tunnel.init))
  }

  startInbound (apAddress: Uint8Array): Buffer | null {
    const keyIndex = randomInt(this.keys.length)
    const init = buildInitBlock('inbound', apAddress)
    const out = permuteForward(this.keys[keyIndex] as Buffer, init.bytes)
    if (!this.inbound.add(out, { keyIndex, init })) return null
    return out
  }

  /** Step 2 of an inbound tunnel at Xn: the owner's stream brings back the cached block and the layered reply. */
  acceptOwnerBlocks (first: Uint8Array, second: Uint8Array): TerminalTunnel | null {
    if (first.byteLength !== BLOCK_BYTES || second.byteLength !== BLOCK_BYTES) return null
    const pending = this.inbound.take(first)
    if (pending == null) return null
    const key = this.keys[pending.keyIndex] as Buffer
    if (!constantTimeEqual(permuteInverse(key, first), pending.init.bytes)) return null
    let reply: ReplyFields
    try {
      reply = decodeReplyBlock(permuteForward(key, second), pending.init)
    } catch {
      return null
    }
    return { init: pending.init, reply, hop: new HopTunnel(pending.keyIndex, key, first, second, this.options.observer) }
  }

  /** Inbound step 3: the symmetry dummy Xn sends toward the owner. */
  inboundDummy (): Buffer {
    return makeDummyBlock()
  }

  /** Inbound step 4: the owner's dummy arrives; only its size is checked. */
  acceptOwnerDummy (block: Uint8Array): boolean {
    try {
      decodeOpaqueBlock(block, 'dummy block')
      return true
    } catch {
      return false
    }
  }
}

