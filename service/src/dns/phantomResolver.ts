import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram'
import { createServer, isIPv6, type Server, type Socket } from 'node:net'
import { silentLogger, type Logger } from '../logging/logger.js'
import {
  assertLoopbackUnlessAllowed, formatListenAddress, parseListenAddress, type ListenAddress
} from '../socks/loopbackListenAddress.js'
import { DNS_HEADER_BYTES, DNS_QUERY_MAX_BYTES } from './dnsConstants.js'
import { PetnameTable } from './hostsFile.js'
import { answerDnsMessage, type DnsOutcome } from './phantomAnswer.js'

/**
 * 127.0.80.53:53 — a loopback address of its own ("80" for Phantom's SOCKS
 * port family, "53" for DNS), clear of systemd-resolved's 127.0.0.53 and
 * 127.0.0.54 and of dnsmasq/libvirt's usual addresses. All of 127.0.0.0/8 is
 * on `lo` on Linux, so nothing has to be configured for it.
 */
export const DEFAULT_DNS_LISTEN = '127.0.80.53:53'
export const DEFAULT_DNS_MAX_TCP_CLIENTS = 64
export const DEFAULT_DNS_TCP_IDLE_TIMEOUT_MS = 10_000

export interface PhantomResolverOptions {
  /** "HOST:PORT", literal address; default 127.0.80.53:53. UDP and TCP share it. */
  listen?: string
  /** Required to listen on anything but loopback. */
  allowNonLoopback?: boolean
  petnames?: PetnameTable
  ttlSeconds?: number
  /** A answers: the IPv4 mapping of the TUN interface (see PhantomAnswerOptions.ipv4For). */
  ipv4For?: (ap: Buffer) => Buffer | undefined
  /** Also serve DNS over TCP (RFC 7766) on the same address; default true. */
  tcp?: boolean
  maxTcpClients?: number
  tcpIdleTimeoutMs?: number
  logger?: Logger
}

export type DnsResolverStats = Record<DnsOutcome, number> & { udpQueries: number, tcpQueries: number, tcpOverLimit: number }

/**
 * The `.phantom` resolver (PROTOCOL.md §9) on loopback. It answers from
 * answerDnsQuery alone and never forwards a query: the only packets it ever
 * sends are replies, each to the address and port the query came from (UDP) or
 * on the connection it came on (TCP). It opens no other socket.
 */
export class PhantomResolver {
  readonly stats: DnsResolverStats = {
    address: 0, nodata: 0, nxdomain: 0, refused: 0, formerr: 0, notimp: 0, badvers: 0, dropped: 0, udpQueries: 0, tcpQueries: 0, tcpOverLimit: 0
  }

  private readonly listenAddress: ListenAddress
  private readonly logger: Logger
  private readonly maxTcpClients: number
  private readonly tcpIdleTimeoutMs: number
  private petnames: PetnameTable
  private udp: UdpSocket | undefined
  private tcp: Server | undefined
  private readonly tcpClients = new Set<Socket>()

  constructor (private readonly options: PhantomResolverOptions = {}) {
    this.listenAddress = parseListenAddress(options.listen ?? DEFAULT_DNS_LISTEN)
    assertLoopbackUnlessAllowed(this.listenAddress, options.allowNonLoopback === true, 'DNS resolver')
    this.logger = options.logger ?? silentLogger
    this.petnames = options.petnames ?? new PetnameTable()
    this.maxTcpClients = options.maxTcpClients ?? DEFAULT_DNS_MAX_TCP_CLIENTS
    this.tcpIdleTimeoutMs = options.tcpIdleTimeoutMs ?? DEFAULT_DNS_TCP_IDLE_TIMEOUT_MS
  }

  /** Replaces the petname table (hosts file reloaded). */
  setPetnames (petnames: PetnameTable): void {
    this.petnames = petnames
  }

  /** The bound address (after start; UDP and TCP share the port). */
  address (): ListenAddress {
    const bound = this.udp?.address()
    if (bound === undefined) throw new Error('DNS resolver is not listening')
    return { host: bound.address, port: bound.port }
  }

  async start (): Promise<void> {
    if (this.udp !== undefined) throw new Error('DNS resolver already started')
    const { host, port } = this.listenAddress
    // With port 0 the kernel picks the UDP port; TCP must then get the same one, which another program may hold: try again.
    for (let attempt = 1; ; attempt++) {
      const udp = await this.bindUdp(host, port)
      if (this.options.tcp === false) { this.udp = udp; break }
      try {
        this.tcp = await this.listenTcp(host, udp.address().port)
        this.udp = udp
        break
      } catch (error) {
        udp.close()
        if (port !== 0 || attempt >= 5 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
      }
    }
    this.logger.info('DNS resolver listening', { listen: formatListenAddress(this.address()), tcp: this.tcp !== undefined })
  }

  async stop (): Promise<void> {
    const udp = this.udp
    const tcp = this.tcp
    this.udp = undefined
    this.tcp = undefined
    for (const client of this.tcpClients) client.destroy()
    await Promise.all([
      udp === undefined ? undefined : new Promise<void>(resolve => { udp.close(() => { resolve() }) }),
      tcp === undefined ? undefined : new Promise<void>(resolve => { tcp.close(() => { resolve() }) })
    ])
  }

  /** One message in, at most one reply out; counted. */
  private answer (message: Buffer): Buffer | undefined {
    const { reply, outcome } = answerDnsMessage(message, { petnames: this.petnames, ttlSeconds: this.options.ttlSeconds, ipv4For: this.options.ipv4For })
    this.stats[outcome]++
    return reply
  }

  private async bindUdp (host: string, port: number): Promise<UdpSocket> {
    const udp = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', ipv6Only: isIPv6(host) })
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject)
      udp.bind({ address: host, port, exclusive: true }, () => { udp.off('error', reject); resolve() })
    })
    udp.on('error', (error) => { this.logger.warn('DNS resolver UDP error', { error }) })
    udp.on('message', (message: Buffer, peer: RemoteInfo) => { this.onDatagram(udp, message, peer) })
    return udp
  }

  private onDatagram (udp: UdpSocket, message: Buffer, peer: RemoteInfo): void {
    this.stats.udpQueries++
    if (peer.port === 0) { this.stats.dropped++; return }
    const reply = this.answer(message)
    if (reply === undefined) return
    // The only send of the resolver: back to the sender of this query.
    udp.send(reply, peer.port, peer.address, (error) => {
      if (error != null) this.logger.debug('DNS reply not sent', { error })
    })
  }

  private async listenTcp (host: string, port: number): Promise<Server> {
    const server = createServer({ noDelay: true }, (socket) => { this.onTcpClient(socket) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port, exclusive: true }, () => { server.off('error', reject); resolve() })
    })
    server.on('error', (error) => { this.logger.warn('DNS resolver TCP error', { error }) })
    return server
  }

  /** RFC 1035 §4.2.2 / RFC 7766: 2-byte length, message; pipelined queries answered in order; bounded and idle-timed. */
  private onTcpClient (socket: Socket): void {
    socket.on('error', () => {})
    if (this.tcpClients.size >= this.maxTcpClients) {
      this.stats.tcpOverLimit++
      socket.destroy()
      return
    }
    this.tcpClients.add(socket)
    socket.once('close', () => { this.tcpClients.delete(socket) })
    socket.setTimeout(this.tcpIdleTimeoutMs, () => { socket.destroy() })
    let pending: Buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0)
        if (length < DNS_HEADER_BYTES || length > DNS_QUERY_MAX_BYTES) { socket.destroy(); return }
        if (pending.length < 2 + length) break
        const message = pending.subarray(2, 2 + length)
        pending = pending.subarray(2 + length)
        this.stats.tcpQueries++
        const reply = this.answer(message)
        if (reply === undefined) { socket.destroy(); return }
        const frame = Buffer.alloc(2 + reply.length)
        frame.writeUInt16BE(reply.length, 0)
        reply.copy(frame, 2)
        // A client that does not read its answers stops being read.
        if (!socket.write(frame)) {
          socket.pause()
          socket.once('drain', () => { socket.resume() })
        }
      }
      // Keep at most one partial message, not a view that pins a large chunk.
      pending = Buffer.from(pending)
    })
    socket.on('end', () => { socket.end() })
  }
}
