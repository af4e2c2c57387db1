/**
 * The node's TUN interface (PROTOCOL.md §9): `phantom0` with the node's AP
 * address as /128 and a route for fd50::/16, joined to the session layer by
 * the packet router (src/tun/router/) with its inbound firewall. Outgoing
 * packets open or reuse a session to the destination AP address and travel
 * as DATAGRAM frames; incoming datagrams are accepted only from the session's
 * authenticated AP address to ours, then the firewall decides.
 *
 * IPv4-only programs (tun.ipv4): the interface also carries the mapping
 * prefix's first address and a route for the prefix; the IPv4 translator
 * (src/tun/ipv4/) sits between the device and the router.
 *
 * The interface is not persistent: closing its descriptor (stop, or the
 * process dying, kill -9 included) makes the kernel remove it with its
 * addresses and routes, so the next start always finds the name free.
 */
import type { Logger } from '../logging/logger.js'
import { formatApAddress } from '../netdb/apAddress.js'
import type { SessionService } from '../session/service/sessionService.js'
import { TunDevice } from '../tun/tunDevice.js'
import { configureTunIpv4, configureTunLink } from '../tun/tunLinkConfig.js'
import { attachTunDevice, channelForSession, PacketRouter, type RouterStats } from '../tun/router/index.js'
import { Ipv4AddressMap } from '../tun/ipv4/ipv4AddressMap.js'
import { formatIpv4Address, ipv4AddressBytes, parseIpv4Prefix } from '../tun/ipv4/ipv4Prefix.js'
import { Ipv4Translator, type Ipv4TranslatorStats } from '../tun/ipv4/ipv4Translator.js'
import { ProcNetListeners } from '../tun/ipv4/hostListeners.js'

/** An IPv4 header is 20 bytes shorter than an IPv6 one: the largest IPv4 packet that still fits the link once translated. */
const IPV4_MTU_BELOW_LINK = 20

export interface TunInterfaceSettings {
  name: string
  mtu: number
  expose: readonly number[]
  answerPing: boolean
  ipv4: { enabled: boolean, prefix: string }
}

export interface TunInterfaceStatus {
  name: string
  mtu: number
  apAddresses: string[]
  /** The IPv4 mapping for IPv4-only programs, or null (then `ipv4Problem` says why). */
  ipv4: { address: string, prefix: string, mtu: number, mappings: number } | null
  ipv4Problem?: string
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
    private readonly log: Logger,
    private readonly ipv4: { map: Ipv4AddressMap, translator: Ipv4Translator } | null,
    private readonly ipv4Problem: string | undefined
  ) {
    this.detach = attachTunDevice(ipv4?.translator ?? router, tun)
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
    let ipv4Problem: string | undefined
    let map: Ipv4AddressMap | null = null
    if (settings.ipv4.enabled) {
      const candidate = new Ipv4AddressMap({ prefix: parseIpv4Prefix(settings.ipv4.prefix) })
      try {
        await configureTunIpv4(tun.name, { address: formatIpv4Address(candidate.ownAddress), prefix: settings.ipv4.prefix, mtu: settings.mtu - IPV4_MTU_BELOW_LINK })
        map = candidate
      } catch (err) {
        ipv4Problem = `cannot set up the IPv4 mapping on ${tun.name}: ${(err as Error).message}`
        log.warn('IPv4-only programs are not served; IPv6 works', { name: tun.name, err: ipv4Problem })
      }
    } else {
      ipv4Problem = 'tun.ipv4.enabled is false'
    }
    let translator: Ipv4Translator | null = null
    const router = new PacketRouter({
      sessions: { channelTo: async (ap, signal) => channelForSession(await sessions.connect(ap, signal)) },
      localAddresses: [ownAp],
      deliverToHost: (packet) => { if (translator !== null) translator.deliverToHost(packet); else tun.write(packet) },
      firewall: { expose: settings.expose, answerPing: settings.answerPing }
    })
    if (map !== null) {
      translator = new Ipv4Translator({
        map,
        ownAp,
        toRouter: (packet) => { router.handleOutbound(packet) },
        toHost: (packet) => { tun.write(packet) },
        listeners: new ProcNetListeners(map.ownAddress, ownAp)
      })
    }
    log.info('TUN interface up', {
      name: tun.name,
      mtu: settings.mtu,
      ap: formatApAddress(ownAp),
      expose: settings.expose,
      ipv4: map === null ? null : `${formatIpv4Address(map.ownAddress)} in ${settings.ipv4.prefix}`
    })
    const ipv4 = map !== null && translator !== null ? { map, translator } : null
    return new TunInterface(tun, router, settings, ownAp, sessions, log, ipv4, ipv4Problem)
  }

  /**
   * The local IPv4 address (4 bytes) that stands for `ap` for IPv4-only
   * programs, mapped now if it was not yet; undefined without the mapping or
   * when the map is full of recently used entries.
   */
  ipv4AddressFor (ap: Buffer): Buffer | undefined {
    const address = this.ipv4?.map.addressFor(ap)
    return address === undefined ? undefined : ipv4AddressBytes(address)
  }

  /** The IPv4 translator's counters, or null without the mapping. */
  get ipv4Stats (): Ipv4TranslatorStats | null {
    return this.ipv4?.translator.stats ?? null
  }

  private readonly onDatagram = (_peerAp: Buffer, packet: Buffer, session: Parameters<typeof channelForSession>[0]): void => {
    if (!this.closed) this.router.deliverInbound(channelForSession(session), packet)
  }

  private readonly onSession = (_peerAp: Buffer, session: Parameters<typeof channelForSession>[0] & { on: (e: 'close', l: () => void) => unknown }): void => {
    session.on('close', () => { if (!this.closed) this.router.channelClosed(channelForSession(session)) })
  }

  status (): TunInterfaceStatus {
    const ipv4 = this.ipv4 === null
      ? null
      : {
          address: formatIpv4Address(this.ipv4.map.ownAddress),
          prefix: this.settings.ipv4.prefix,
          mtu: this.settings.mtu - IPV4_MTU_BELOW_LINK,
          mappings: this.ipv4.map.stats.mappings
        }
    return {
      name: this.tun.name,
      mtu: this.settings.mtu,
      apAddresses: [formatApAddress(this.ownAp)],
      ipv4,
      ...(this.ipv4Problem !== undefined ? { ipv4Problem: this.ipv4Problem } : {})
    }
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
    this.ipv4?.translator.clear()
    this.tun.close()
    this.log.info('TUN interface removed', { name: this.tun.name })
  }
}
