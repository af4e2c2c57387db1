/** Two PacketRouters joined back to back through a FakeDatagramNetwork, each with a recording host. */
import { PacketRouter } from '../../../src/tun/router/packetRouter.js'
import { type PacketRouterOptions } from '../../../src/tun/router/routerOptions.js'
import { FakeDatagramNetwork, FakeSessions } from './fakeDatagramNetwork.js'
import { addr } from './routerTestPackets.js'

export const A = addr('fd50::a')
export const B = addr('fd50::b')

export class ManualClock {
  time = 1_000_000
  readonly now = (): number => this.time
  advance (ms: number): void { this.time += ms }
}

export interface RouterSide {
  ap: Buffer
  router: PacketRouter
  sessions: FakeSessions
  /** Everything the router wrote to its host. */
  host: Buffer[]
}

export type SideOptions = Partial<Omit<PacketRouterOptions, 'sessions' | 'deliverToHost' | 'localAddresses' | 'now'>>

export class RouterPair {
  readonly network = new FakeDatagramNetwork()
  readonly clock = new ManualClock()
  readonly a: RouterSide
  readonly b: RouterSide

  constructor (aOptions: SideOptions = {}, bOptions: SideOptions = {}) {
    this.a = this.side(A, aOptions)
    this.b = this.side(B, bOptions)
  }

  private side (ap: Buffer, options: SideOptions): RouterSide {
    const sessions = new FakeSessions(ap, this.network)
    const host: Buffer[] = []
    const router = new PacketRouter({
      sweepIntervalMs: 0,
      ...options,
      sessions,
      localAddresses: [ap],
      deliverToHost: (packet) => { host.push(Buffer.from(packet)) },
      now: this.clock.now
    })
    this.network.register(ap, router)
    return { ap, router, sessions, host }
  }

  async settle (): Promise<void> {
    await this.network.settle()
  }

  close (): void {
    this.a.router.close()
    this.b.router.close()
  }
}
