import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { ed25519FromSeed } from '../../src/crypto/index.js'
import type { Ed25519KeyPair } from '../../src/crypto/index.js'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import type { ApRecordFields, EntryNode } from '../../src/netdb/records/apRecord.js'
import type { NodeRecordFields } from '../../src/netdb/records/nodeRecord.js'

/** A real libp2p Ed25519 identity: PeerId text, multihash bytes and the 64-byte secret key (`privateKey.raw`). */
export interface TestIdentity {
  peerIdString: string
  peerIdBytes: Uint8Array
  secretKey: Uint8Array
}

export async function makeIdentities (count: number): Promise<TestIdentity[]> {
  const out: TestIdentity[] = []
  for (let i = 0; i < count; i++) {
    const privateKey = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(privateKey)
    out.push({ peerIdString: peerId.toString(), peerIdBytes: peerId.toMultihash().bytes, secretKey: privateKey.raw })
  }
  return out
}

/** Routing key pairs from fixed seeds, so shrunk counterexamples are reproducible. */
export function routingKeyPair (index: number): Ed25519KeyPair {
  return ed25519FromSeed(Buffer.alloc(32, index + 1))
}

export const NOW = 1_800_000_000_000
const HOUR = 3_600_000

const ip4 = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
  .map(o => o.join('.'))
const ip6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(b => {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] as number) * 256 + (b[i + 1] as number)).toString(16))
  return groups.join(':')
})
const port = fc.integer({ min: 1, max: 65535 })

/** Binary multiaddrs of the kinds nodes announce. */
export const multiaddrBytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(ip4, port).map(([a, p]) => multiaddr(`/ip4/${a}/tcp/${p}`).bytes),
  fc.tuple(ip6, port).map(([a, p]) => multiaddr(`/ip6/${a}/tcp/${p}`).bytes),
  fc.tuple(ip4, port).map(([a, p]) => multiaddr(`/ip4/${a}/udp/${p}/quic-v1`).bytes),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,40}\.[a-z]{2,6}$/), port).map(([d, p]) => multiaddr(`/dns4/${d}/tcp/${p}`).bytes)
)

function distinct (list: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>()
  return list.filter(b => {
    const h = Buffer.from(b).toString('hex')
    if (seen.has(h)) return false
    seen.add(h)
    return true
  })
}

export const multiaddrListArb = (maxLength: number): fc.Arbitrary<Uint8Array[]> =>
  fc.array(multiaddrBytesArb, { maxLength }).map(distinct)

export const timesArb = (maxLifetime: number): fc.Arbitrary<{ issuedAt: number, expiresAt: number }> =>
  fc.tuple(fc.integer({ min: NOW - maxLifetime + 1, max: NOW + 5 * 60_000 }), fc.integer({ min: 0, max: maxLifetime }))
    .filter(([issuedAt, life]) => issuedAt + life > NOW)
    .map(([issuedAt, life]) => ({ issuedAt, expiresAt: issuedAt + life }))

/** Node record fields that every validator accepts at NOW (the peerId is identities[i]). */
export function nodeFieldsArb (identities: TestIdentity[]): fc.Arbitrary<{ identity: TestIdentity, fields: NodeRecordFields }> {
  return fc.record({
    index: fc.integer({ min: 0, max: identities.length - 1 }),
    multiaddrs: multiaddrListArb(8),
    pbk: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    pbkNotAfter: fc.integer({ min: NOW + 1, max: NOW + 48 * HOUR }),
    protocolVersion: fc.integer({ min: 0, max: 0xffff }),
    relayCapacity: fc.integer({ min: 0, max: 0xffffffff }),
    times: timesArb(2 * HOUR)
  }).map(r => {
    const identity = identities[r.index] as TestIdentity
    return {
      identity,
      fields: {
        peerId: identity.peerIdBytes,
        multiaddrs: r.multiaddrs,
        pbk: r.pbk,
        pbkNotAfter: r.pbkNotAfter,
        protocolVersion: r.protocolVersion,
        relayCapacity: r.relayCapacity,
        issuedAt: r.times.issuedAt,
        expiresAt: r.times.expiresAt
      }
    }
  })
}

/** AP record fields that every validator accepts at NOW (routing key = routingKeyPair(keyIndex)), at most 4096 bytes encoded. */
export function apFieldsArb (identities: TestIdentity[]): fc.Arbitrary<{ routing: Ed25519KeyPair, fields: ApRecordFields }> {
  const entryArb: fc.Arbitrary<Array<{ index: number, multiaddrs: Uint8Array[] }>> =
    fc.uniqueArray(fc.record({ index: fc.integer({ min: 0, max: identities.length - 1 }), multiaddrs: multiaddrListArb(4) }), { maxLength: Math.min(8, identities.length), selector: e => e.index })
  return fc.record({
    keyIndex: fc.integer({ min: 0, max: 7 }),
    e2ePub: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    entries: entryArb,
    sequence: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    times: timesArb(HOUR)
  }).map(r => {
    const routing = routingKeyPair(r.keyIndex)
    const entryNodes: EntryNode[] = r.entries.map(e => ({ peerId: (identities[e.index] as TestIdentity).peerIdBytes, multiaddrs: e.multiaddrs }))
    return {
      routing,
      fields: {
        ap: deriveApAddress(routing.publicKey),
        routingPub: routing.publicKey,
        e2ePub: r.e2ePub,
        entryNodes,
        sequence: r.sequence,
        issuedAt: r.times.issuedAt,
        expiresAt: r.times.expiresAt
      }
    }
  })
}
