import type { KadDHT } from '@libp2p/kad-dht'

export interface RecordWriteResult {
  /** Peers that acknowledged storing the record. */
  storedAt: number
}

/** Puts a record into the network database (the k closest peers and this node's own store). */
export async function writeRecord (dht: KadDHT, key: Uint8Array, value: Uint8Array, timeoutMs: number): Promise<RecordWriteResult> {
  const signal = AbortSignal.timeout(timeoutMs)
  let storedAt = 0
  try {
    for await (const event of dht.put(key, value, { signal })) {
      if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') storedAt++
    }
  } catch (err) {
    if (!signal.aborted) throw err
  }
  return { storedAt }
}
