/** DNS constants (RFC 1035, RFC 3596 AAAA, RFC 6891 EDNS(0)). */

export const DnsType = {
  A: 1,
  AAAA: 28,
  OPT: 41,
  ANY: 255
} as const

export const DnsClass = {
  IN: 1,
  ANY: 255
} as const

export const DnsOpcode = {
  query: 0
} as const

/** RCODE values; BADVERS (16) needs EDNS: its upper 8 bits travel in the OPT record. */
export const DnsRcode = {
  noError: 0,
  formErr: 1,
  servFail: 2,
  nxDomain: 3,
  notImp: 4,
  refused: 5,
  badVers: 16
} as const

export type DnsRcodeValue = typeof DnsRcode[keyof typeof DnsRcode]

export const DNS_HEADER_BYTES = 12
/** Longest name on the wire, length bytes and root included (RFC 1035 §2.3.4). */
export const DNS_NAME_MAX_BYTES = 255
export const DNS_LABEL_MAX_BYTES = 63
/**
 * Largest query accepted (UDP or TCP). A query with one question and one OPT
 * record is far smaller; anything bigger is answered FORMERR without parsing.
 */
export const DNS_QUERY_MAX_BYTES = 1232
/** The UDP payload size announced in our OPT record. Our answers are far below it. */
export const DNS_EDNS_UDP_PAYLOAD = 1232
