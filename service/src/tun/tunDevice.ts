import { EventEmitter } from 'node:events'
import { assertInterfaceNameRequest } from './interfaceName.js'
import { loadTunAddon, type NativeTunHandle, type TunAddon } from './tunAddon.js'

export const DEFAULT_TUN_READ_BUFFER = 65536
export const DEFAULT_TUN_WRITE_QUEUE = 1024

export interface TunOpenOptions {
  /** Requested interface name, e.g. "phantom0", or "phantom%d" to let the kernel number it. */
  name: string
  /** Size of the native read buffer: the largest packet that can be read (1280..65575). */
  readBufferSize?: number
  /** Packets kept while the fd would block; beyond this, writes are dropped and counted. */
  maxWriteQueue?: number
  /** For tests: an addon other than the built one. */
  addon?: TunAddon
}

export interface TunStats {
  packetsRead: number
  /** Wake-ups that delivered packets; packetsRead / readBatches is the mean batch size. */
  readBatches: number
  /** Largest single batch seen. */
  largestBatch: number
  packetsWritten: number
  /** Writes that met EAGAIN and waited in the queue. */
  writesQueued: number
  /** Writes refused because the queue was full. */
  writesDropped: number
  /** Queued writes the kernel rejected when they were finally written. */
  writeErrors: number
}

export interface TunDeviceEvents {
  /** One array per wake-up of the fd: every packet read, in order, each its own Buffer. */
  packets: [packets: Buffer[]]
  /** A read error; the device stops reading (close it). Without a listener this is an uncaught exception. */
  error: [error: Error]
  /** The write queue has emptied after EAGAIN. */
  drain: []
  close: []
}

/**
 * A Linux TUN interface (IFF_TUN | IFF_NO_PI: raw IP packets, no header),
 * backed by the phantom_tun N-API addon.
 *
 * Reading: the 'packets' event delivers one Buffer[] per readiness wake-up
 * (at most addon.MAX_BATCH packets); pause()/resume() stop and restart reading.
 * Writing: write() hands one packet straight to the kernel; if the fd would
 * block, the packet is queued (bounded) and flushed when the fd is writable.
 */
export class TunDevice extends EventEmitter<TunDeviceEvents> {
  readonly name: string
  readonly stats: TunStats = { packetsRead: 0, readBatches: 0, largestBatch: 0, packetsWritten: 0, writesQueued: 0, writesDropped: 0, writeErrors: 0 }
  private readonly handle: NativeTunHandle
  private readonly eagain: number
  private readonly maxWriteQueue: number
  private readonly queue: Buffer[] = []
  private closed = false

  private constructor (options: TunOpenOptions) {
    super()
    assertInterfaceNameRequest(options.name)
    const addon = options.addon ?? loadTunAddon()
    const readBufferSize = options.readBufferSize ?? DEFAULT_TUN_READ_BUFFER
    this.maxWriteQueue = options.maxWriteQueue ?? DEFAULT_TUN_WRITE_QUEUE
    if (!Number.isInteger(this.maxWriteQueue) || this.maxWriteQueue < 0) throw new RangeError('maxWriteQueue must be a non-negative integer')
    this.eagain = addon.EAGAIN
    this.handle = new addon.TunHandle(
      options.name,
      readBufferSize,
      (packets) => { this.onPackets(packets) },
      (error) => { this.emit('error', error) },
      () => { this.flush() }
    )
    this.name = this.handle.name
  }

  /** Creates (or attaches to) the interface. Throws the addon's error (code ENOENT, EPERM, EACCES, EINVAL, EBUSY...). */
  static open (options: TunOpenOptions): TunDevice {
    return new TunDevice(options)
  }

  get isClosed (): boolean {
    return this.closed
  }

  get queuedWrites (): number {
    return this.queue.length
  }

  /**
   * Writes one IP packet. Returns true if the kernel took it now, false if it
   * was queued (fd would block) or dropped (queue full, see stats). Throws if
   * the device is closed, or if the kernel rejects the packet right away
   * (e.g. EINVAL for something that is not an IP packet).
   */
  write (packet: Uint8Array): boolean {
    if (this.closed) throw new Error(`TUN interface ${this.name} is closed`)
    if (this.queue.length === 0) {
      const n = this.handle.write(packet)
      if (n >= 0) { this.stats.packetsWritten++; return true }
      if (n !== -this.eagain) throw new Error(`TUN interface ${this.name}: unexpected write result ${n}`)
    }
    if (this.queue.length >= this.maxWriteQueue) {
      this.stats.writesDropped++
      return false
    }
    // The caller may reuse its buffer once we return.
    this.queue.push(Buffer.from(packet))
    this.stats.writesQueued++
    if (this.queue.length === 1) this.handle.setWatchWritable(true)
    return false
  }

  pause (): void {
    if (!this.closed) this.handle.setReading(false)
  }

  resume (): void {
    if (!this.closed) this.handle.setReading(true)
  }

  /** Stops reading, drops queued writes, closes the fd (the kernel removes the interface). Idempotent. */
  close (): void {
    if (this.closed) return
    this.closed = true
    this.queue.length = 0
    this.handle.close()
    this.emit('close')
  }

  private onPackets (packets: Buffer[]): void {
    this.stats.packetsRead += packets.length
    this.stats.readBatches++
    if (packets.length > this.stats.largestBatch) this.stats.largestBatch = packets.length
    this.emit('packets', packets)
  }

  private flush (): void {
    while (!this.closed && this.queue.length > 0) {
      const packet = this.queue[0] as Buffer
      let n: number
      try {
        n = this.handle.write(packet)
      } catch {
        this.stats.writeErrors++
        this.queue.shift()
        continue
      }
      if (n === -this.eagain) {
        this.handle.setWatchWritable(true)
        return
      }
      this.queue.shift()
      this.stats.packetsWritten++
    }
    if (!this.closed) this.emit('drain')
  }
}
