import { type DatagramChannel } from './datagramSessions.js'

/** A destination whose channel is being opened, with the packets waiting for it. */
export interface OpeningDestination {
  state: 'opening'
  ap: Buffer
  abort: AbortController
  timer: NodeJS.Timeout
  queue: Buffer[]
  queuedBytes: number
}

export interface OpenDestination {
  state: 'open'
  channel: DatagramChannel
  /** Last packet either way (router clock). */
  lastUsed: number
}

export type DestinationEntry = OpeningDestination | OpenDestination
