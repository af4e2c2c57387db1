/**
 * The node's TUN interface (PROTOCOL.md §9): `phantom0` with the node's AP
 * address as /128 and a route for fd50::/16, joined to the session layer by
 * the packet router (src/tun/router/) with its inbound firewall. Outgoing
 * packets open or reuse a session to the destination AP address and travel
 * as DATAGRAM frames; incoming datagrams are accepted only from the session's
 * authenticated AP address to ours, then the firewall decides.
 *
 * The interface is not persistent: closing its descriptor (stop, or the
 * process dying, kill -9 included) makes the kernel remove it with its
 * addresses and routes, so the next start always finds the name free.
 */
import type { Logger } from '../logging/logger.js'
import { formatApAddress } from '../netdb/apAddress.js'
import type { SessionService } from '../session/service/sessionService.js'
import { TunDevice } from '../tun/tunDevice.js'
import { configureTunLink } from '../tun/tunLinkConfig.js'
import { attachTunDevice, channelForSession, PacketRouter, type RouterStats } from '../tun/router/index.js'

export interface TunInterfaceSettings {
  name: string
  mtu: number
  expose: readonly number[]
  answerPing: boolean
}

export interface TunInterfaceStatus {
  name: string
  mtu: number
  apAddresses: string[]
}

/** Why the interface could not be created, for the log and `status`. */
export class TunUnavailableError extends Error {
  override name = 'TunUnavailableError'
}

function explain (err: unknown): string {
  const code = (err as { code?: string }).code
  if (code === 'ENOENT') return '/dev/net/tun is missing (load the tun module, or give the container the device)'
  if (code === 'EPERM' || code === 'EACCES') return 'no permission to create a TUN interface: the daemon needs CAP_NET_ADMIN (run it from the packaged systemd unit, or as root)'
  if (code === 'EBUSY') return 'the interface name is in use by another program'
  return (err as Error).message
}

export class TunInterface {
  private readonly detach: () => void
  private closed = false

  private constructor (
    private readonly tun: TunDevice,
    readonly router: PacketRouter,
    private readonly settings: TunInterfaceSettings,
    private readonly ownAp: Buffer,
    private readonly sessions: SessionService,
    private readonly log: Logger
  ) {
    this.detach = attachTunDevice(router, tun)
    tun.on('error', (err) => {
      log.error('TUN interface failed; it is closed, sessions and SOCKS5 go on', { name: tun.name, err: err.message })
      this.stop()
    })
    sessions.on('datagram', this.onDatagram)
    sessions.on('session', this.onSession)
  }

  static async start (settings: TunInterfaceSettings, ownAp: Buffer, sessions: SessionService, log: Logger): Promise<TunInterface> {
    let tun: TunDevice
    try {
      tun = TunDevice.open({ name: settings.name })
    } catch (err) {
      throw new TunUnavailableError(explain(err))
    }
    try {
      await configureTunLink(tun.name, { mtu: settings.mtu, addresses: [formatApAddress(ownAp)] })
    } catch (err) {
      tun.close()
      throw new TunUnavailableError(`cannot configure ${tun.name}: ${(err as Error).message}`)
    }
    const router = new PacketRouter({
      sessions: { channelTo: async (ap, signal) => channelForSession(await sessions.connect(ap, signal)) },
      localAddresses: [ownAp],
      deliverToHost: (packet) => { tun.write(packet) },
      firewall: { expose: settings.expose, answerPing: settings.answerPing }
    })
    log.info('TUN interface up', { name: tun.name, mtu: settings.mtu, ap: formatApAddress(ownAp), expose: settings.expose })
    return new TunInterface(tun, router, settings, ownAp, sessions, log)
  }

  private readonly onDatagram = (_peerAp: Buffer, packet: Buffer, session: Parameters<typeof channelForSession>[0]): void => {
    if (!this.closed) this.router.deliverInbound(channelForSession(session), packet)
  }

  private readonly onSession = (_peerAp: Buffer, session: Parameters<typeof channelForSession>[0] & { on: (e: 'close', l: () => void) => unknown }): void => {
    session.on('close', () => { if (!this.closed) this.router.channelClosed(channelForSession(session)) })
  }

  status (): TunInterfaceStatus {
    return { name: this.tun.name, mtu: this.settings.mtu, apAddresses: [formatApAddress(this.ownAp)] }
  }

  get stats (): RouterStats {
    return this.router.stats
  }

  /** Closes the interface; the kernel removes it with its addresses and routes. */
  stop (): void {
    if (this.closed) return
    this.closed = true
    this.sessions.off('datagram', this.onDatagram)
    this.sessions.off('session', this.onSession)
    this.detach()
    this.router.close()
    this.tun.close()
    this.log.info('TUN interface removed', { name: this.tun.name })
  }
}
