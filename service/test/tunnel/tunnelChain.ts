/**
 * Test kit: a chain owner ↔ X1 ↔ … ↔ Xn simulated in one process. It moves
 * the blocks between the hop objects the way the libp2p wiring will (path
 * link for the first block, new tunnel streams for the rest) and records, at
 * every relay, each event with its channel, the neighbour side, the size and
 * the relay operation performed.
 */
import { randomBytes } from '../../src/crypto/index.js'
import {
  answerInboundDummy, answerInboundTunnel, completeOutboundTunnel, deriveTunnelKeySet, initBlockAcceptor, isOwnProbe, searchKeyTree,
  startOutboundTunnel, TerminatingHop, TunnelHop, type HopTunnel, type KeySearcher, type LayerObserver, type OwnerTunnel,
  type SearchCriterion, type TerminalTunnel, type TunnelKeySet
} from '../../src/tunnel/index.js'

export type Side = 'prev' | 'next'
export interface RelayEvent {
  channel: 'link' | 'tunnel'
  action: 'receive' | 'send' | 'stream-accepted' | 'stream-opened'
  side: Side
  bytes: number
  op?: string
}

export interface ChainOptions {
  hops: number
  keyCount: number
  /** Observer factory for keystream instrumentation: (party, hop index 0-based) → observer. */
  observe?: (party: 'owner' | 'hop', hop: number) => LayerObserver | undefined
  /** Key search: the worker (async) or, when absent, the synchronous tree search. */
  searcher?: KeySearcher
}

export interface EstablishedTunnel {
  kind: 'outbound' | 'inbound'
  owner: OwnerTunnel
  relays: HopTunnel[]
  terminal: TerminalTunnel
  keyIndices: number[]
}

export function randomApAddress (): Buffer {
  const ap = randomBytes(16)
  ap[0] = 0xfd
  ap[1] = 0x50
  return ap
}

export class TunnelChain {
  readonly seeds: Buffer[]
  readonly ownerKeys: TunnelKeySet[]
  readonly relays: TunnelHop[]
  readonly terminal: TerminatingHop
  readonly views: RelayEvent[][]
  readonly ownerAp = randomApAddress()

  constructor (private readonly options: ChainOptions) {
    if (options.hops < 1) throw new RangeError('at least one hop')
    this.seeds = Array.from({ length: options.hops }, () => randomBytes(32))
    this.ownerKeys = this.seeds.map((s) => deriveTunnelKeySet(s, options.keyCount))
    // Each X-node derives its own key set from the seed it received (independently of the owner).
    this.relays = this.seeds.slice(0, -1).map((s, i) => new TunnelHop(deriveTunnelKeySet(s, options.keyCount), { observer: options.observe?.('hop', i) }))
    this.terminal = new TerminatingHop(deriveTunnelKeySet(this.seeds[options.hops - 1] as Buffer, options.keyCount), { observer: options.observe?.('hop', options.hops - 1) })
    this.views = this.relays.map(() => [])
  }

  private record (relay: number, event: RelayEvent): void {
    this.views[relay]?.push(event)
  }

  /** One block through relay i in one direction on one channel. */
  private pass (i: number, channel: 'link' | 'tunnel', from: Side, bytes: number, op: string): void {
    this.record(i, { channel, action: 'receive', side: from, bytes, op })
    this.record(i, { channel, action: 'send', side: from === 'prev' ? 'next' : 'prev', bytes })
  }

  private async search (layered: Buffer, criterion: SearchCriterion): Promise<number[]> {
    const result = this.options.searcher != null
      ? await this.options.searcher.search(layered, this.ownerKeys, criterion)
      : searchKeyTree(layered, this.ownerKeys, initBlockAcceptor(criterion))
    if (result.keyIndices == null) throw new Error('key search found nothing')
    return result.keyIndices
  }

  async outbound (target = randomApAddress()): Promise<EstablishedTunnel> {
    const n = this.relays.length
    // 1–2: the probe along the path links toward Xn.
    const request = startOutboundTunnel()
    let block: Buffer = request.probe
    for (let i = 0; i < n; i++) {
      const out = this.relays[i]!.acceptFirstBlock(block)
      if (out == null) throw new Error(`relay ${i} dropped the probe`)
      this.pass(i, 'link', 'prev', 64, 'transform-and-cache')
      block = out
    }
    // 3: Xn answers on a new tunnel stream.
    const answer = this.terminal.answerProbe(block)
    if (answer == null) throw new Error('Xn dropped the probe')
    let first = answer.probeBack
    let second = answer.layeredInit
    // 4: each predecessor: cache lookup, undo / apply, new stream to its own predecessor.
    const relayTunnels: HopTunnel[] = new Array<HopTunnel>(n)
    for (let i = n - 1; i >= 0; i--) {
      this.record(i, { channel: 'tunnel', action: 'stream-accepted', side: 'next', bytes: 0 })
      this.record(i, { channel: 'tunnel', action: 'receive', side: 'next', bytes: first.length + second.length, op: 'backward-step' })
      const step = this.relays[i]!.backwardStep(first, second)
      if (step == null) throw new Error(`relay ${i} dropped the backward step`)
      this.record(i, { channel: 'tunnel', action: 'stream-opened', side: 'prev', bytes: 0 })
      this.record(i, { channel: 'tunnel', action: 'send', side: 'prev', bytes: 128 })
      first = step.firstOut
      second = step.secondOut
      relayTunnels[i] = step.tunnel
    }
    // 5: the owner recognises its probe and searches.
    if (!isOwnProbe(request, first)) throw new Error('owner: not its probe')
    const keyIndices = await this.search(second, { kind: 'outbound' })
    const done = completeOutboundTunnel({
      request, hopKeys: this.ownerKeys, keyIndices, layeredInit: second, reply: { targetApAddress: target, portClass: 1, flags: 0 }, observer: (h) => this.options.observe?.('owner', h)
    })
    // 6: the reply travels outward, every hop peels one layer.
    let reply = done.replyOut
    for (let i = 0; i < n; i++) {
      this.pass(i, 'tunnel', 'prev', 64, 'along-setup')
      reply = relayTunnels[i]!.blockAlongSetup(reply)
    }
    const terminal = this.terminal.readReply(answer.pending, reply)
    if (terminal == null) throw new Error('Xn rejected the reply')
    // Confirmation back toward the owner.
    let confirmation = this.terminal.confirmation(terminal)
    for (let i = n - 1; i >= 0; i--) {
      this.pass(i, 'tunnel', 'next', 64, 'against-setup')
      confirmation = relayTunnels[i]!.blockAgainstSetup(confirmation)
    }
    if (!done.tunnel.checkConfirmation(confirmation)) throw new Error('owner: bad confirmation')
    return { kind: 'outbound', owner: done.tunnel, relays: relayTunnels, terminal, keyIndices }
  }

  async inbound (): Promise<EstablishedTunnel> {
    const n = this.relays.length
    // Xn received an apconnect for the owner's AP address: init block along the path links toward the owner.
    let block = this.terminal.startInbound(this.ownerAp)
    if (block == null) throw new Error('Xn: cache collision')
    for (let i = n - 1; i >= 0; i--) {
      const out = this.relays[i]!.acceptFirstBlock(block)
      if (out == null) throw new Error(`relay ${i} dropped the init block`)
      this.pass(i, 'link', 'next', 64, 'transform-and-cache')
      block = out
    }
    const keyIndices = await this.search(block, { kind: 'inbound', apAddresses: [randomApAddress(), this.ownerAp] })
    const answer = answerInboundTunnel({ hopKeys: this.ownerKeys, keyIndices, layeredInit: block, flags: 0, observer: (h) => this.options.observe?.('owner', h) })
    // The owner opens the new tunnel streams toward Xn: cached block ‖ reply.
    let first = answer.firstOut
    let second = answer.replyOut
    const relayTunnels: HopTunnel[] = new Array<HopTunnel>(n)
    for (let i = 0; i < n; i++) {
      this.record(i, { channel: 'tunnel', action: 'stream-accepted', side: 'prev', bytes: 0 })
      this.record(i, { channel: 'tunnel', action: 'receive', side: 'prev', bytes: first.length + second.length, op: 'backward-step' })
      const step = this.relays[i]!.backwardStep(first, second)
      if (step == null) throw new Error(`relay ${i} dropped the backward step`)
      this.record(i, { channel: 'tunnel', action: 'stream-opened', side: 'next', bytes: 0 })
      this.record(i, { channel: 'tunnel', action: 'send', side: 'next', bytes: 128 })
      first = step.firstOut
      second = step.secondOut
      relayTunnels[i] = step.tunnel
    }
    const terminal = this.terminal.acceptOwnerBlocks(first, second)
    if (terminal == null) throw new Error('Xn rejected the owner blocks')
    // Symmetry: one dummy each way.
    let dummy = this.terminal.inboundDummy()
    for (let i = n - 1; i >= 0; i--) {
      this.pass(i, 'tunnel', 'next', 64, 'along-setup')
      dummy = relayTunnels[i]!.blockAlongSetup(dummy)
    }
    let back = answerInboundDummy(dummy)
    for (let i = 0; i < n; i++) {
      this.pass(i, 'tunnel', 'prev', 64, 'against-setup')
      back = relayTunnels[i]!.blockAgainstSetup(back)
    }
    if (!this.terminal.acceptOwnerDummy(back)) throw new Error('Xn rejected the dummy')
    return { kind: 'inbound', owner: answer.tunnel, relays: relayTunnels, terminal, keyIndices }
  }

  clearViews (): void {
    for (const v of this.views) v.length = 0
  }
}

/** Data outward (owner → Xn) through every layer; returns what Xn reads. */
export function sendOutward (t: EstablishedTunnel, chunk: Uint8Array, tamper?: { relay: number, byte: number }): Buffer {
  const buf = Buffer.from(chunk)
  t.owner.sealOutwardInPlace(buf)
  t.relays.forEach((r, i) => {
    r.flowing(t.kind, 'outward').applyInPlace(buf)
    if (tamper?.relay === i) buf[tamper.byte] = (buf[tamper.byte] as number) ^ 0x01
  })
  t.terminal.hop.flowing(t.kind, 'outward').applyInPlace(buf)
  return buf
}

/** Data inward (Xn → owner) through every layer; returns what the owner reads. */
export function sendInward (t: EstablishedTunnel, chunk: Uint8Array): Buffer {
  const buf = Buffer.from(chunk)
  t.terminal.hop.flowing(t.kind, 'inward').applyInPlace(buf)
  for (let i = t.relays.length - 1; i >= 0; i--) t.relays[i]!.flowing(t.kind, 'inward').applyInPlace(buf)
  t.owner.openInwardInPlace(buf)
  return buf
}
