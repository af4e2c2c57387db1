import { apAddressFromPhantomName, isPhantomName } from '../netdb/phantomName.js'
import { DNS_EDNS_UDP_PAYLOAD, DnsClass, DnsRcode, DnsType } from './dnsConstants.js'
import { encodeDnsResponse, parseDnsQuery, type DnsQuery, type DnsResponse } from './dnsMessage.js'
import { dnsNameText } from './dnsName.js'
import type { PetnameTable } from './hostsFile.js'

export const DEFAULT_DNS_TTL_SECONDS = 300
const PHANTOM_TLD = 'phantom'

export interface PhantomAnswerOptions {
  petnames?: PetnameTable
  ttlSeconds?: number
  /**
   * The local IPv4 address (4 bytes) standing for an AP address, for A
   * questions (the TUN interface's IPv4 mapping, which may allocate one);
   * undefined: no A answer.
   */
  ipv4For?: (ap: Buffer) => Buffer | undefined
}

/** What happened to one query (for counters and logs). */
export type DnsOutcome = 'address' | 'nodata' | 'nxdomain' | 'refused' | 'formerr' | 'notimp' | 'badvers' | 'dropped'

/**
 * The resolver's whole policy, as a pure function of the query and the
 * petname table: nothing here can send, look up or wait for anything.
 *
 * - `<52 base32>.phantom`, and petnames: AAAA → the AP address,
 *   authoritative, TTL `ttlSeconds`; A → the local IPv4 address `ipv4For`
 *   maps it to (for IPv4-only programs; NODATA without one); ANY → both; any
 *   other type → NOERROR without answers (NODATA).
 * - `phantom.` itself → NODATA (the name exists as the top of the namespace;
 *   NXDOMAIN there would deny every name below it, RFC 8020).
 * - any other name under `.phantom` → NXDOMAIN, authoritative.
 * - every name outside `.phantom`, and classes other than IN/ANY → REFUSED.
 * - EDNS version other than 0 → BADVERS.
 */
export function answerDnsQuery (query: DnsQuery, options: PhantomAnswerOptions = {}): { response: DnsResponse, outcome: DnsOutcome } {
  const { question } = query
  const response: DnsResponse = {
    id: query.id,
    opcode: query.opcode,
    authoritative: false,
    recursionDesired: query.recursionDesired,
    recursionAvailable: false,
    checkingDisabled: query.checkingDisabled,
    rcode: DnsRcode.noError,
    question,
    answers: []
  }
  if (query.edns !== undefined) response.edns = { udpPayloadSize: DNS_EDNS_UDP_PAYLOAD }
  const finish = (rcode: number, outcome: DnsOutcome, authoritative = false): { response: DnsResponse, outcome: DnsOutcome } => {
    response.rcode = rcode
    response.authoritative = authoritative
    return { response, outcome }
  }
  if (query.edns !== undefined && query.edns.version !== 0) return finish(DnsRcode.badVers, 'badvers')
  if (question.class !== DnsClass.IN && question.class !== DnsClass.ANY) return finish(DnsRcode.refused, 'refused')
  const name = dnsNameText(question.labels)
  const last = question.labels[question.labels.length - 1]
  const underPhantom = last !== undefined && last.toString('latin1').toLowerCase() === PHANTOM_TLD
  if (!underPhantom) return finish(DnsRcode.refused, 'refused')
  if (name === PHANTOM_TLD) return finish(DnsRcode.noError, 'nodata', true)
  const ap = name === undefined
    ? undefined
    : isPhantomName(name as unknown) ? apAddressFromPhantomName(name) : options.petnames?.lookup(name)
  if (ap === undefined) return finish(DnsRcode.nxDomain, 'nxdomain', true)
  const ttl = options.ttlSeconds ?? DEFAULT_DNS_TTL_SECONDS
  if (question.type === DnsType.AAAA || question.type === DnsType.ANY) {
    response.answers.push({ type: DnsType.AAAA, class: DnsClass.IN, ttl, data: ap })
  }
  if (question.type === DnsType.A || question.type === DnsType.ANY) {
    const ipv4 = options.ipv4For?.(ap)
    if (ipv4 !== undefined) response.answers.push({ type: DnsType.A, class: DnsClass.IN, ttl, data: ipv4 })
  }
  return response.answers.length === 0 ? finish(DnsRcode.noError, 'nodata', true) : finish(DnsRcode.noError, 'address', true)
}

/** One message in, at most one message out (undefined: send nothing). */
export function answerDnsMessage (bytes: Uint8Array, options: PhantomAnswerOptions = {}): { reply?: Buffer, outcome: DnsOutcome } {
  const parsed = parseDnsQuery(bytes)
  if (parsed.status === 'drop') return { outcome: 'dropped' }
  if (parsed.status === 'error') {
    const reply = encodeDnsResponse({
      id: parsed.id,
      opcode: parsed.opcode,
      authoritative: false,
      recursionDesired: parsed.recursionDesired,
      recursionAvailable: false,
      rcode: parsed.rcode,
      answers: []
    })
    return { reply, outcome: parsed.rcode === DnsRcode.notImp ? 'notimp' : 'formerr' }
  }
  const { response, outcome } = answerDnsQuery(parsed.query, options)
  return { reply: encodeDnsResponse(response), outcome }
}
