import { ByteReader } from '../wire/byteReader.js'
import { ByteWriter } from '../wire/byteWriter.js'
import { DecodeError } from '../wire/decodeError.js'
import {
  DNS_HEADER_BYTES, DNS_QUERY_MAX_BYTES, DnsOpcode, DnsRcode, DnsType, type DnsRcodeValue
} from './dnsConstants.js'
import { readDnsName, writeDnsName } from './dnsName.js'

/**
 * DNS messages <-> values, for what a stub-facing resolver needs: queries with
 * exactly one question and at most one OPT record (EDNS), responses with AAAA
 * answers and any RCODE. Pure; every parse is bounded by DNS_QUERY_MAX_BYTES.
 */

export interface DnsQuestion {
  /** Labels as sent (case kept). */
  labels: Buffer[]
  type: number
  class: number
}

export interface DnsEdns {
  udpPayloadSize: number
  version: number
  dnssecOk: boolean
}

export interface DnsQuery {
  id: number
  opcode: number
  recursionDesired: boolean
  checkingDisabled: boolean
  question: DnsQuestion
  edns?: DnsEdns
}

export type DnsQueryParse =
  | { status: 'query', query: DnsQuery }
  /** Answerable with an RCODE only (no question echoed): the header was readable. */
  | { status: 'error', rcode: DnsRcodeValue, id: number, opcode: number, recursionDesired: boolean, reason: string }
  /** Not answered at all: too short to carry an ID, or not a query (never answer a response). */
  | { status: 'drop', reason: string }

const QR = 0x80
const OPCODE_SHIFT = 3
const AA = 0x04
const RD = 0x01
const RA = 0x80
const CD = 0x10

export function parseDnsQuery (bytes: Uint8Array): DnsQueryParse {
  if (bytes.length < DNS_HEADER_BYTES) return { status: 'drop', reason: `message of ${bytes.length} bytes is shorter than a DNS header` }
  const flags1 = bytes[2] as number
  if ((flags1 & QR) !== 0) return { status: 'drop', reason: 'not a query (QR set)' }
  const id = ((bytes[0] as number) << 8) | (bytes[1] as number)
  const opcode = (flags1 >> OPCODE_SHIFT) & 0x0f
  const recursionDesired = (flags1 & RD) !== 0
  const fail = (rcode: DnsRcodeValue, reason: string): DnsQueryParse => ({ status: 'error', rcode, id, opcode, recursionDesired, reason })
  if (bytes.length > DNS_QUERY_MAX_BYTES) return fail(DnsRcode.formErr, `query of ${bytes.length} bytes exceeds ${DNS_QUERY_MAX_BYTES}`)
  if (opcode !== DnsOpcode.query) return fail(DnsRcode.notImp, `opcode ${opcode} is not implemented`)
  const reader = new ByteReader(bytes, 'DNS query')
  try {
    reader.bytes(4)
    const qdCount = reader.u16()
    const anCount = reader.u16()
    const nsCount = reader.u16()
    const arCount = reader.u16()
    if (qdCount !== 1) return fail(DnsRcode.formErr, `${qdCount} questions (exactly 1 accepted)`)
    if (anCount !== 0 || nsCount !== 0) return fail(DnsRcode.formErr, 'a query carries no answer or authority records')
    if (arCount > 1) return fail(DnsRcode.formErr, `${arCount} additional records (at most one OPT accepted)`)
    const question: DnsQuestion = { labels: readDnsName(reader), type: reader.u16(), class: reader.u16() }
    const edns = arCount === 1 ? readOpt(reader) : undefined
    reader.end()
    const query: DnsQuery = { id, opcode, recursionDesired, checkingDisabled: ((bytes[3] as number) & CD) !== 0, question }
    if (edns !== undefined) query.edns = edns
    return { status: 'query', query }
  } catch (error) {
    if (error instanceof DecodeError) return fail(DnsRcode.formErr, error.message)
    throw error
  }
}

/** The OPT pseudo-record (RFC 6891 §6.1): root name, TYPE 41, CLASS = UDP payload size, TTL = extended RCODE, version, DO. */
function readOpt (reader: ByteReader): DnsEdns {
  if (readDnsName(reader).length !== 0) throw new DecodeError('OPT record with a name other than the root')
  if (reader.u16() !== DnsType.OPT) throw new DecodeError('the only additional record accepted is OPT')
  const udpPayloadSize = reader.u16()
  reader.u8() // extended RCODE: zero in queries, ignored
  const version = reader.u8()
  const dnssecOk = (reader.u16() & 0x8000) !== 0
  reader.bytes16() // options (cookies, padding…): read to stay in step, not used
  return { udpPayloadSize, version, dnssecOk }
}

export interface DnsAnswer {
  /** Answers always name the question's name (written as a pointer to it). */
  type: number
  class: number
  ttl: number
  data: Buffer
}

export interface DnsResponse {
  id: number
  opcode: number
  authoritative: boolean
  recursionDesired: boolean
  recursionAvailable: boolean
  checkingDisabled?: boolean
  /** 0..4095; values above 15 need `edns`. */
  rcode: number
  question?: DnsQuestion
  answers: DnsAnswer[]
  edns?: { udpPayloadSize: number }
}

/** Pointer to offset 12, where the (only) question's name starts. */
const QUESTION_NAME_POINTER = 0xc000 | DNS_HEADER_BYTES

export function encodeDnsResponse (response: DnsResponse): Buffer {
  const { rcode } = response
  if (!Number.isInteger(rcode) || rcode < 0 || rcode > 0xfff || (rcode > 0x0f && response.edns === undefined)) throw new RangeError(`RCODE ${rcode} cannot be encoded`)
  if (response.answers.length > 0 && response.question === undefined) throw new RangeError('answers need the question they answer')
  const writer = new ByteWriter(128)
  writer.u16(response.id)
  writer.u8(QR | ((response.opcode & 0x0f) << OPCODE_SHIFT) | (response.authoritative ? AA : 0) | (response.recursionDesired ? RD : 0))
  writer.u8((response.recursionAvailable ? RA : 0) | (response.checkingDisabled === true ? CD : 0) | (rcode & 0x0f))
  writer.u16(response.question === undefined ? 0 : 1).u16(response.answers.length).u16(0).u16(response.edns === undefined ? 0 : 1)
  if (response.question !== undefined) {
    writeDnsName(writer, response.question.labels)
    writer.u16(response.question.type).u16(response.question.class)
  }
  for (const answer of response.answers) {
    writer.u16(QUESTION_NAME_POINTER).u16(answer.type).u16(answer.class).u32(answer.ttl).bytes16(answer.data)
  }
  if (response.edns !== undefined) {
    writer.u8(0).u16(DnsType.OPT).u16(response.edns.udpPayloadSize).u8(rcode >> 4).u8(0).u16(0).u16(0)
  }
  return writer.finish()
}

/** Client side (tests, tools): one question, optional OPT. */
export function encodeDnsQuery (query: DnsQuery): Buffer {
  const writer = new ByteWriter(64)
  writer.u16(query.id)
  writer.u8(((query.opcode & 0x0f) << OPCODE_SHIFT) | (query.recursionDesired ? RD : 0))
  writer.u8(query.checkingDisabled ? CD : 0)
  writer.u16(1).u16(0).u16(0).u16(query.edns === undefined ? 0 : 1)
  writeDnsName(writer, query.question.labels)
  writer.u16(query.question.type).u16(query.question.class)
  if (query.edns !== undefined) {
    writer.u8(0).u16(DnsType.OPT).u16(query.edns.udpPayloadSize).u8(0).u8(query.edns.version).u16(query.edns.dnssecOk ? 0x8000 : 0).u16(0)
  }
  return writer.finish()
}
