import { decodeApRecord } from './records/apRecord.js'
import { decodeNodeRecord } from './records/nodeRecord.js'

/** The kad-dht selector shape: index of the best record. */
export type RecordSelector = (key: Uint8Array, records: Uint8Array[]) => number

function compareBytes (a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

/**
 * Index of the best record under `better(a, b) > 0 ⇔ a beats b`. Undecodable
 * records rank below every decodable one; equal ranks go to the lowest bytes,
 * so every node picks the same record. Never throws; 0 for an empty list.
 */
function selectBest<T> (records: Uint8Array[], decode: (bytes: Uint8Array) => T, better: (a: T, b: T) => number): number {
  let bestIndex = 0
  let best: T | undefined
  records.forEach((bytes, index) => {
    let value: T
    try {
      value = decode(bytes)
    } catch {
      return
    }
    if (best === undefined) {
      best = value; bestIndex = index
      return
    }
    const order = better(value, best)
    if (order > 0 || (order === 0 && compareBytes(bytes, records[bestIndex] as Uint8Array) < 0)) {
      best = value; bestIndex = index
    }
  })
  return bestIndex
}

function signum (n: number | bigint): number {
  return n > 0 ? 1 : n < 0 ? -1 : 0
}

/**
 * The selectors to register with kad-dht (`selectors` option):
 * - phantom-node: the newest issuedAt wins;
 * - phantom-ap: the highest sequence wins, then the newest issuedAt.
 * Ties go to the lowest bytes. They are meant for records that already passed
 * the validators and do not verify signatures again.
 */
export type RecordSelectors = {
  'phantom-node': RecordSelector
  'phantom-ap': RecordSelector
}

export const recordSelectors: RecordSelectors = {
  'phantom-node': (_key, records) => selectBest(records, decodeNodeRecord, (a, b) => signum(a.issuedAt - b.issuedAt)),
  'phantom-ap': (_key, records) => selectBest(records, decodeApRecord, (a, b) => signum(a.sequence - b.sequence) || signum(a.issuedAt - b.issuedAt))
}
