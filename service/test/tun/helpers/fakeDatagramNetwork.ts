/**
 * In-memory stand-in for sessions: routers registered under their AP
 * addresses are joined back to back through pairs of fake channels. A packet
 * sent on one end reaches the other router's deliverInbound on a later turn
 * of the event loop (as a real session would deliver it). Opening can be made
 * to fail, to wait until released, or to hand out small channels.
 */
import { type DatagramChannel, type DatagramSessions } from '../../../src/tun/router/datagramSessions.js'
import { type PacketRouter } from '../../../src/tun/router/packetRouter.js'
import { MAX_DATAGRAM_BYTES } from '../../../src/session/sessionLimits.js'

export class FakeChannel implements DatagramChannel {
  /** Every packet this end was asked to send (copies). */
  readonly sent: Buffer[] = []
  closed = false
  congested = false
  other: FakeChannel | null = null

  constructor (readonly peerAp: Buffer, readonly maxPacket: number, private readonly network: FakeDatagramNetwork) {}

  send (packet: Uint8Array): boolean {
    if (this.closed || this.congested) return false
    const copy = Buffer.from(packet)
    this.sent.push(copy)
    const other = this.other
    if (other === null) return true
    this.network.deliverLater(other, copy)
    return true
  }

  close (): void {
    this.closed = true
    if (this.other !== null) this.other.closed = true
  }
}

interface PendingOpen {
  ap: Buffer
  signal: AbortSignal
  resolve: (channel: DatagramChannel) => void
  reject: (error: Error) => void
}

export class FakeSessions implements DatagramSessions {
  /** Every address channelTo was asked for, in order. */
  readonly requests: Buffer[] = []
  /** When true, channelTo waits until release() or fail(). */
  holdOpens = false
  readonly pending: PendingOpen[] = []
  /** The channels this side opened (our ends). */
  readonly opened: FakeChannel[] = []
  maxPacket = MAX_DATAGRAM_BYTES

  constructor (readonly localAp: Buffer, private readonly network: FakeDatagramNetwork) {}

  async channelTo (ap: Buffer, signal: AbortSignal): Promise<DatagramChannel> {
    this.requests.push(Buffer.from(ap))
    if (this.holdOpens) {
      return await new Promise<DatagramChannel>((resolve, reject) => {
        const open: PendingOpen = { ap, signal, resolve, reject }
        this.pending.push(open)
        signal.addEventListener('abort', () => { reject(new Error('aborted')) }, { once: true })
      })
    }
    return this.connect(ap)
  }

  /** Completes the oldest held open. */
  release (): void {
    const open = this.pending.shift() ?? assertNever('no open is pending')
    try { open.resolve(this.connect(open.ap)) } catch (error) { open.reject(error as Error) }
  }

  /** Fails the oldest held open. */
  fail (): void {
    const open = this.pending.shift() ?? assertNever('no open is pending')
    open.reject(new Error('AP address unreachable'))
  }

  private connect (ap: Buffer): FakeChannel {
    const remote = this.network.routerAt(ap)
    if (remote === undefined || this.network.unreachable.has(ap.toString('hex'))) throw new Error('AP address unreachable')
    const ours = new FakeChannel(Buffer.from(ap), this.maxPacket, this.network)
    const theirs = new FakeChannel(Buffer.from(this.localAp), this.maxPacket, this.network)
    ours.other = theirs
    theirs.other = ours
    this.network.owners.set(ours, this.network.routerAt(this.localAp) ?? assertNever('local router not registered'))
    this.network.owners.set(theirs, remote)
    this.opened.push(ours)
    return ours
  }
}

export class FakeDatagramNetwork {
  readonly unreachable = new Set<string>()
  /** Which router receives what arrives at a channel end. */
  readonly owners = new Map<FakeChannel, PacketRouter>()
  private readonly routers = new Map<string, PacketRouter>()
  private inFlight = 0

  register (ap: Buffer, router: PacketRouter): void {
    this.routers.set(ap.toString('hex'), router)
  }

  routerAt (ap: Buffer): PacketRouter | undefined {
    return this.routers.get(ap.toString('hex'))
  }

  /** `packet` arrives at channel end `at` (whose owner router gets it) on a later turn. */
  deliverLater (at: FakeChannel, packet: Buffer): void {
    this.inFlight++
    setImmediate(() => {
      this.inFlight--
      if (at.closed) return
      this.owners.get(at)?.deliverInbound(at, packet)
    })
  }

  /** Resolves once nothing is in flight and pending promise callbacks have run. */
  async settle (): Promise<void> {
    for (let turns = 0; turns < 1000; turns++) {
      await new Promise<void>((resolve) => { setImmediate(resolve) })
      if (this.inFlight === 0) return
    }
    throw new Error('the fake network did not settle')
  }
}

function assertNever (message: string): never {
  throw new Error(message)
}
