/** Frame types of T§6.2 plus the Phantom extension DATAGRAM (PROTOCOL.md §8). */
export const FrameType = {
  DATA: 0x00,
  STREAM_OPEN: 0x01,
  STREAM_CLOSE: 0x02,
  WINDOW_UPDATE: 0x03,
  PING: 0x04,
  PONG: 0x05,
  GOAWAY: 0x06,
  PADDING: 0x07,
  /** Phantom extension: one IP packet for the TUN interface, stream 0. */
  DATAGRAM: 0x08
} as const

export type FrameTypeValue = typeof FrameType[keyof typeof FrameType]

export function isFrameType (value: number): value is FrameTypeValue {
  return Number.isInteger(value) && value >= 0x00 && value <= 0x08
}

/** Which stream IDs a frame type allows: only 0, only non-zero, or either (WINDOW_UPDATE: 0 = connection). */
export function streamIdRule (type: FrameTypeValue): 'zero' | 'nonzero' | 'any' {
  switch (type) {
    case FrameType.DATA:
    case FrameType.STREAM_OPEN:
    case FrameType.STREAM_CLOSE:
      return 'nonzero'
    case FrameType.WINDOW_UPDATE:
      return 'any'
    default:
      return 'zero'
  }
}
