import { ByteReader } from '../../src/wire/byteReader.js'

/** A test-only reader of our resolver's responses (answers name the question by pointer 0xc00c). */
export interface ReadResponse {
  id: number
  qr: boolean
  aa: boolean
  rd: boolean
  ra: boolean
  rcode: number
  questionName?: string
  questionType?: number
  answers: Array<{ type: number, ttl: number, data: Buffer }>
  opt?: { udpPayloadSize: number, extendedRcode: number }
}

export function readResponse (bytes: Buffer): ReadResponse {
  const r = new ByteReader(bytes, 'response')
  const id = r.u16()
  const f1 = r.u8()
  const f2 = r.u8()
  const qd = r.u16()
  const an = r.u16()
  r.u16()
  const ar = r.u16()
  const out: ReadResponse = { id, qr: (f1 & 0x80) !== 0, aa: (f1 & 0x04) !== 0, rd: (f1 & 0x01) !== 0, ra: (f2 & 0x80) !== 0, rcode: f2 & 0x0f, answers: [] }
  if (qd === 1) {
    const labels: string[] = []
    for (let n = r.u8(); n !== 0; n = r.u8()) labels.push(r.bytes(n).toString('latin1'))
    out.questionName = labels.join('.')
    out.questionType = r.u16()
    r.u16()
  }
  for (let i = 0; i < an; i++) {
    if (r.u16() !== 0xc00c) throw new Error('answer name is not a pointer to the question')
    const type = r.u16()
    r.u16()
    const ttl = r.u32()
    out.answers.push({ type, ttl, data: r.bytes16() })
  }
  if (ar === 1) {
    if (r.u8() !== 0 || r.u16() !== 41) throw new Error('additional record is not OPT')
    const udpPayloadSize = r.u16()
    const extendedRcode = r.u8()
    r.bytes(3)
    r.bytes16()
    out.opt = { udpPayloadSize, extendedRcode }
  }
  r.end()
  return out
}
