import type { Stream } from '@libp2p/interface'
import type { PathRuntime, WireEvent } from './pathRuntime.js'

/** Reports open/recv/send events of one stream to the test hook (no-op in production). */
export class WireTap {
  readonly tag: string
  constructor (private readonly rt: PathRuntime, private readonly protocol: WireEvent['protocol'], private readonly direction: WireEvent['direction'], private readonly remotePeer: string) {
    this.tag = rt.nextStreamTag()
    this.emit('open', 0)
  }

  recv (bytes: number): void { this.emit('recv', bytes) }
  send (bytes: number): void { this.emit('send', bytes) }

  private emit (event: WireEvent['event'], bytes: number): void {
    const hook = this.rt.hooks.onWire
    if (hook != null) hook({ protocol: this.protocol, stream: this.tag, direction: this.direction, event, bytes, remotePeer: this.remotePeer })
  }
}

export function remotePeerOf (connection: { remotePeer: { toString: () => string } }): string {
  return connection.remotePeer.toString()
}

export type { Stream }
