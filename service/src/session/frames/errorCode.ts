/** Error codes of T§10.1, carried as u32 in GOAWAY and STREAM_CLOSE. */
export const ErrorCode = {
  NO_ERROR: 0x00,
  PROTOCOL_ERROR: 0x01,
  INTERNAL_ERROR: 0x02,
  FLOW_CONTROL_ERROR: 0x03,
  STREAM_CLOSED: 0x04,
  FRAME_SIZE_ERROR: 0x05,
  REFUSED_STREAM: 0x06,
  CANCEL: 0x07,
  CONNECT_ERROR: 0x08,
  ENHANCE_YOUR_CALM: 0x09
} as const

export type ErrorCodeValue = typeof ErrorCode[keyof typeof ErrorCode]

export function isErrorCode (value: number): value is ErrorCodeValue {
  return Number.isInteger(value) && value >= 0x00 && value <= 0x09
}

export function errorCodeName (value: number): string {
  for (const [name, code] of Object.entries(ErrorCode)) if (code === value) return name
  return `UNKNOWN_0x${value.toString(16)}`
}
