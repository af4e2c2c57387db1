import { MemoryDatastore } from 'datastore-core/memory'
import { Libp2pRecord } from '@libp2p/record'
import type { Key } from 'interface-datastore'
import type { AbortOptions } from '@libp2p/interface'

/** Where kad-dht keeps records in its datastore (its default `datastorePrefix` + "/record"). */
const DHT_RECORD_PREFIX = '/dht/record/'

export type RecordPreference = (key: Uint8Array, values: Uint8Array[]) => number

/**
 * The datastore behind this node's share of the network database. kad-dht's
 * PUT handler stores any record that passes the validator, replacing what was
 * there; this store additionally refuses to replace a record with one the
 * selector ranks lower, so a replayed older AP record (lower sequence number)
 * can never displace a newer one here.
 */
export class GuardedRecordStore extends MemoryDatastore {
  constructor (private readonly prefer: RecordPreference, private readonly onRefused: (key: Uint8Array) => void = () => {}) {
    super()
  }

  override async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    if (key.toString().startsWith(DHT_RECORD_PREFIX) && await this.has(key)) {
      try {
        const existing = Libp2pRecord.deserialize(await this.get(key))
        const incoming = Libp2pRecord.deserialize(value)
        if (this.prefer(incoming.key, [existing.value, incoming.value]) === 0 && !sameBytes(existing.value, incoming.value)) {
          this.onRefused(incoming.key)
          return key
        }
      } catch {
        // an unreadable stored entry is simply replaced
      }
    }
    return await super.put(key, value, options)
  }
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b))
}
