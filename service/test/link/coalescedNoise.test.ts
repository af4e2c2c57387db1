import assert from 'node:assert/strict'
import type { MessageStream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { coalesceSends } from '../../src/link/coalescedNoise.js'
import { sodiumNoiseCrypto } from '../../src/link/sodiumNoiseCrypto.js'

/** A stand-in transport stream that records what reaches its send(). */
function recordingStream (): { stream: MessageStream, sent: Array<Uint8Array | Uint8ArrayList> } {
  const sent: Array<Uint8Array | Uint8ArrayList> = []
  const stream = { send: (data: Uint8Array | Uint8ArrayList) => { sent.push(data); return sent.length < 3 } } as unknown as MessageStream
  return { stream, sent }
}

describe('link: one transport write per Noise message', () => {
  it('passes a list of buffers on as one buffer with the same bytes, and keeps send\'s answer', () => {
    const { stream, sent } = recordingStream()
    const same = coalesceSends(stream)
    assert.equal(same, stream)
    const length = Uint8Array.from([0x01, 0x00])
    const ciphertext = Uint8Array.from({ length: 256 }, (_, i) => i)
    assert.equal(stream.send(new Uint8ArrayList(length, ciphertext)), true)
    assert.equal(sent.length, 1)
    assert.ok(sent[0] instanceof Uint8Array)
    assert.deepEqual([...(sent[0] as Uint8Array)], [...length, ...ciphertext])
    // a plain buffer and a list of one buffer pass through uncopied
    const plain = Uint8Array.from([9, 9, 9])
    assert.equal(stream.send(plain), true)
    assert.equal(sent[1], plain)
    const single = Uint8Array.from([7, 7])
    assert.equal(stream.send(new Uint8ArrayList(single)), false, 'the transport\'s back-pressure answer comes back')
    assert.equal(sent[2], single)
  })

  it('accepts lists of any shape and never changes a byte', () => {
    const { stream, sent } = recordingStream()
    coalesceSends(stream)
    for (const sizes of [[0, 5], [1, 1, 1], [65535, 2], [2, 65519, 16]]) {
      const parts = sizes.map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + k) & 0xff))
      const list = new Uint8ArrayList(...parts)
      stream.send(list)
      const got = sent.at(-1) as Uint8Array
      assert.equal(got.byteLength, sizes.reduce((a, b) => a + b, 0))
      assert.ok(Buffer.from(got).equals(Buffer.concat(parts)))
    }
  })

  it('sends our ciphertexts from their own memory, several messages in one write', () => {
    const { stream, sent } = recordingStream()
    coalesceSends(stream)
    const key = Buffer.alloc(32, 1)
    const nonce = Buffer.alloc(12)
    const sizes = [65519, 65519, 1000]
    const list = new Uint8ArrayList()
    const wire: Buffer[] = []
    for (const size of sizes) {
      const sealed = sodiumNoiseCrypto.chaCha20Poly1305Encrypt(Buffer.alloc(size, size & 0xff), nonce, new Uint8Array(0), key) as Uint8Array
      const length = Uint8Array.of(sealed.byteLength >> 8, sealed.byteLength & 0xff)
      list.append(length, sealed)
      wire.push(Buffer.from(length), Buffer.from(sealed))
    }
    stream.send(list)
    assert.ok(sent.length >= 1 && sent.length <= 2, 'one write, or two if a slab ran out in the middle')
    assert.ok(Buffer.concat(sent.map((d) => Buffer.from(d as Uint8Array))).equals(Buffer.concat(wire)))
    for (const d of sent) assert.ok(d instanceof Uint8Array && d.buffer.byteLength >= 1024 * 1024, 'views of a slab, not copies')
  })
})
