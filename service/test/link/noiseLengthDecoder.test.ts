import assert from 'node:assert/strict'
import fc from 'fast-check'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { LengthPrefixedDecoder, multiaddrConnectionPair } from '@libp2p/utils'
import type { Upgrader } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { coalescedNoise } from '../../src/link/coalescedNoise.js'
import { uint16LengthOrWait, useNonThrowingLengthDecoder } from '../../src/link/noiseLengthDecoder.js'

/** libp2p-noise's own reader (encoder.js), restated: throws a RangeError below two bytes. */
function throwingUint16 (data: Uint8Array | Uint8ArrayList): number {
  if (data.byteLength < 2) throw new RangeError('Could not decode int16BE')
  return data instanceof Uint8Array ? (data[0]! << 8) + data[1]! : data.getUint16(0)
}

/** Every message a decoder yields for these reads, as hex, and whether it threw. */
function decodeAll (lengthDecoder: (d: Uint8Array | Uint8ArrayList) => number, reads: Uint8Array[]): string[] {
  const decoder = new LengthPrefixedDecoder({ lengthDecoder, maxBufferSize: 16 * 1024 * 1024, encodingLength: () => 2 })
  const out: string[] = []
  for (const read of reads) for (const message of decoder.decode(read)) out.push(Buffer.from(message.subarray()).toString('hex'))
  return out
}

/** Messages framed with a 2-byte length, concatenated, then cut into reads at the given points. */
function framedReads (messages: Uint8Array[], cuts: number[]): Uint8Array[] {
  const wire = Buffer.concat(messages.flatMap((m) => [Buffer.from([m.byteLength >> 8, m.byteLength & 0xff]), Buffer.from(m)]))
  const points = [...new Set(cuts.map((c) => c % (wire.byteLength + 1)))].sort((a, b) => a - b)
  const reads: Uint8Array[] = []
  let at = 0
  for (const p of [...points, wire.byteLength]) { if (p > at) { reads.push(wire.subarray(at, p)); at = p } }
  return reads
}

describe('link: Noise message lengths read without throwing', () => {
  it('reads the length of 2 or more bytes, from an array or a list cut anywhere, as libp2p-noise does', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 8 }), fc.nat(8), (bytes, cut) => {
      const list = new Uint8ArrayList(bytes.subarray(0, cut), bytes.subarray(cut))
      assert.equal(uint16LengthOrWait(bytes), throwingUint16(bytes))
      assert.equal(uint16LengthOrWait(list), throwingUint16(list))
    }))
  })

  it('answers a length longer than what is buffered when fewer than two bytes have arrived, so the decoder waits', () => {
    for (const short of [new Uint8Array(0), Uint8Array.of(0xff), new Uint8ArrayList(Uint8Array.of(0))]) {
      assert.ok(uint16LengthOrWait(short) + 2 > short.byteLength)
    }
  })

  it('makes libp2p\'s LengthPrefixedDecoder yield the same messages as with the throwing reader, for any cut of the reads', () => {
    const message = fc.uint8Array({ minLength: 1, maxLength: 300 })
    fc.assert(fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(3000), { maxLength: 40 }), (messages, cuts) => {
      const reads = framedReads(messages, cuts)
      const ours = decodeAll(uint16LengthOrWait, reads)
      assert.deepEqual(ours, decodeAll(throwingUint16, reads))
      assert.deepEqual(ours, messages.map((m) => Buffer.from(m).toString('hex')))
    }), { numRuns: 300 })
  })

  it('is installed on the connections coalescedNoise secures (pins the libp2p-noise field it replaces), which still carry data', async () => {
    const components = async (): Promise<Parameters<ReturnType<typeof coalescedNoise>>[0]> => {
      const privateKey = await generateKeyPair('Ed25519')
      return { privateKey, peerId: peerIdFromPrivateKey(privateKey), logger: defaultLogger(), upgrader: { getStreamMuxers: () => new Map() } as unknown as Upgrader }
    }
    const [outbound, inbound] = multiaddrConnectionPair()
    const [dialer, listener] = [coalescedNoise()(await components()), coalescedNoise()(await components())]
    const [a, b] = await Promise.all([
      dialer.secureOutbound(outbound, { skipStreamMuxerNegotiation: true }),
      listener.secureInbound(inbound, { skipStreamMuxerNegotiation: true })
    ])
    for (const secured of [a, b]) {
      assert.equal((secured.connection as unknown as { decoder: { lengthDecoder: unknown } }).decoder.lengthDecoder, uint16LengthOrWait)
    }
    const received = new Uint8ArrayList()
    b.connection.addEventListener('message', (evt) => { received.append(evt.data) })
    const payload = Buffer.alloc(200_000, 0x5a)
    a.connection.send(payload)
    const deadline = Date.now() + 10_000
    while (received.byteLength < payload.byteLength && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve))
    assert.ok(Buffer.from(received.subarray()).equals(payload))
    await Promise.all([a.connection.close(), b.connection.close()])
  })

  it('leaves a connection without that field alone and says so', () => {
    assert.equal(useNonThrowingLengthDecoder({}), false)
    assert.equal(useNonThrowingLengthDecoder({ decoder: {} }), false)
  })
})
