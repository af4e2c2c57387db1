import assert from 'node:assert/strict'
import fc from 'fast-check'
import { x25519Generate } from '../../src/crypto/keyAgreement.js'
import { randomBytes } from '../../src/crypto/random.js'
import { HandshakeState } from '../../src/session/noise/handshakeState.js'
import { createRecordLayer, type RecordLayerOptions } from '../../src/session/transport/recordLayer.js'
import { LENGTH_MASK_LABEL, MAX_RECORD_BYTES } from '../../src/session/transport/recordFormat.js'
import { RecordAuthenticationError } from '../../src/session/transport/recordOpener.js'

const PROTOCOL = 'Noise_IK_25519_ChaChaPoly_SHA256'

function handshakePair (observer?: (key: Buffer, nonce: bigint) => void) {
  const responderStatic = x25519Generate()
  const initiator = new HandshakeState({ protocolName: PROTOCOL, initiator: true, staticKeyPair: x25519Generate(), remoteStaticPublicKey: responderStatic.publicKey, extraKeyLabel: LENGTH_MASK_LABEL, ...(observer ? { nonceObserver: observer } : {}) })
  const responder = new HandshakeState({ protocolName: PROTOCOL, initiator: false, staticKeyPair: responderStatic, extraKeyLabel: LENGTH_MASK_LABEL, ...(observer ? { nonceObserver: observer } : {}) })
  responder.readMessage(initiator.writeMessage(Buffer.alloc(0)))
  initiator.readMessage(responder.writeMessage(Buffer.alloc(0)))
  return { initiator: initiator.completed, responder: responder.completed }
}

function recordPair (options: RecordLayerOptions = {}) {
  const { initiator, responder } = handshakePair(options.nonceObserver)
  const received: { i: Buffer[], r: Buffer[] } = { i: [], r: [] }
  const failures: { i: Error[], r: Error[] } = { i: [], r: [] }
  const a = createRecordLayer(initiator, true, { record: p => received.i.push(p), failure: e => failures.i.push(e) }, options)
  const b = createRecordLayer(responder, false, { record: p => received.r.push(p), failure: e => failures.r.push(e) }, options)
  return { a, b, received, failures }
}

describe('record layer (T§6.3)', () => {
  it('round-trips records in both directions; record size = 2 + length + 16', () => {
    const { a, b, received } = recordPair()
    const one = a.sealer.seal(Buffer.from('hello'))
    assert.equal(one.byteLength, 2 + 5 + 16)
    b.opener.push(one)
    b.opener.push(a.sealer.seal(Buffer.alloc(65535, 7)))
    a.opener.push(b.sealer.seal(Buffer.from('back')))
    assert.deepEqual(received.r, [Buffer.from('hello'), Buffer.alloc(65535, 7)])
    assert.deepEqual(received.i, [Buffer.from('back')])
    assert.throws(() => a.sealer.seal(Buffer.alloc(65536)))
    assert.throws(() => a.sealer.seal(Buffer.alloc(0)))
    assert.equal(MAX_RECORD_BYTES, 65553)
  })

  it('the length prefix is masked: equal lengths give different prefixes', () => {
    const { a } = recordPair()
    const prefixes = new Set<string>()
    for (let i = 0; i < 64; i++) prefixes.add(a.sealer.seal(Buffer.alloc(100)).subarray(0, 2).toString('hex'))
    assert.ok(prefixes.size > 32)
  })

  it('any chunking of the byte stream (1 byte at a time, many records at once) gives the same records', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), (sizes, cuts) => {
      const { a, b, received } = recordPair()
      const plaintexts = sizes.map(size => randomBytes(size))
      const wire = Buffer.concat(plaintexts.map(p => a.sealer.seal(p)))
      let offset = 0
      let i = 0
      while (offset < wire.byteLength) {
        const size = cuts[i++ % cuts.length] as number
        b.opener.push(wire.subarray(offset, offset + size))
        offset += size
        assert.ok(b.opener.bufferedBytes <= MAX_RECORD_BYTES)
      }
      assert.deepEqual(received.r, plaintexts)
    }), { numRuns: 60 })
    const { a, b, received } = recordPair()
    const wire = Buffer.concat([a.sealer.seal(Buffer.from('x')), a.sealer.seal(Buffer.from('yz'))])
    for (const byte of wire) b.opener.push(Buffer.from([byte]))
    assert.deepEqual(received.r.map(r => r.toString()), ['x', 'yz'])
  })

  it('flipping any single byte: the failing record and everything after it are never delivered, and the opener stops', () => {
    const { a } = recordPair()
    const first = a.sealer.seal(Buffer.from('first record'))
    const second = a.sealer.seal(Buffer.from('second record'))
    const third = a.sealer.seal(Buffer.from('third record'))
    const wire = Buffer.concat([first, second, third])
    // every record size depends only on the plaintext length, so positions carry over to fresh pairs
    for (let position = first.byteLength; position < wire.byteLength; position++) {
      for (const bit of [0x01, 0x80]) {
        const { initiator, responder } = handshakePair()
        const delivered: Buffer[] = []
        const failures: Error[] = []
        const sender = createRecordLayer(initiator, true, { record: () => {}, failure: () => {} })
        const receiver = createRecordLayer(responder, false, { record: p => delivered.push(p), failure: e => failures.push(e) })
        const stream = Buffer.concat([sender.sealer.seal(Buffer.from('first record')), sender.sealer.seal(Buffer.from('second record')), sender.sealer.seal(Buffer.from('third record'))])
        stream[position] = (stream[position] as number) ^ bit
        receiver.opener.push(stream)
        receiver.opener.push(sender.sealer.seal(Buffer.from('later')))
        // a length altered upward waits for more bytes: give it enough to decide
        receiver.opener.push(Buffer.alloc(MAX_RECORD_BYTES))
        assert.deepEqual(delivered.map(d => d.toString()), position < first.byteLength + second.byteLength ? ['first record'] : ['first record', 'second record'])
        assert.equal(failures.length, 1)
        assert.ok(receiver.opener.isStopped)
      }
    }
  })

  it('a failure is reported as RecordAuthenticationError (also for a tampered length prefix)', () => {
    const { a, b, received, failures } = recordPair()
    const record = a.sealer.seal(Buffer.from('abc'))
    record[0] = (record[0] as number) ^ 0xff
    b.opener.push(record)
    b.opener.push(Buffer.alloc(70000))
    assert.equal(received.r.length, 0)
    // a length flipped upward waits for more bytes, then fails when they arrive; never delivers
    assert.ok(failures.r.length <= 1)
    if (failures.r.length === 1) assert.ok(failures.r[0] instanceof RecordAuthenticationError)
    assert.ok(b.opener.bufferedBytes <= MAX_RECORD_BYTES)
  })

  it('rekeys after N messages per direction (key-update records), transparently to the receiver', () => {
    const { a, b, received } = recordPair({ rekeyAfterMessages: 3 })
    const messages = Array.from({ length: 20 }, (_, i) => Buffer.from(`m${i}`))
    for (const m of messages) b.opener.push(a.sealer.seal(m))
    assert.deepEqual(received.r, messages)
    assert.ok(a.sealer.rekeyCount >= 9)
    assert.equal(b.opener.rekeyCount, a.sealer.rekeyCount)
  })

  it('rekeys after a key age per direction (injected clock)', () => {
    let now = 0
    const { a, b, received } = recordPair({ rekeyAfterMs: 1000, now: () => now })
    b.opener.push(a.sealer.seal(Buffer.from('one')))
    assert.equal(a.sealer.rekeyCount, 0)
    now = 1000
    b.opener.push(a.sealer.seal(Buffer.from('two')))
    b.opener.push(a.sealer.seal(Buffer.from('three')))
    assert.equal(a.sealer.rekeyCount, 1)
    assert.equal(b.opener.rekeyCount, 1)
    assert.deepEqual(received.r.map(r => r.toString()), ['one', 'two', 'three'])
  })

  it('instrumented: no (key, nonce) pair is used twice across both directions, masks and rekeys', () => {
    const seen = new Set<string>()
    let uses = 0
    const observer = (key: Buffer, nonce: bigint): void => {
      const id = `${key.toString('hex')}:${nonce}`
      assert.ok(!seen.has(id), `reused ${id}`)
      seen.add(id)
      uses++
    }
    const { a, b, received } = recordPair({ rekeyAfterMessages: 4, nonceObserver: observer })
    for (let i = 0; i < 50; i++) {
      b.opener.push(a.sealer.seal(Buffer.from(`a${i}`)))
      a.opener.push(b.sealer.seal(Buffer.from(`b${i}`)))
    }
    assert.equal(received.r.length, 50)
    assert.equal(received.i.length, 50)
    assert.ok(uses > 200)
  })

  it('records sealed in place (frame bytes placed between room for length and tag) mix with copied ones; the opener decrypts in the chunks it was given, and what it delivered stays intact', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.boolean()), { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), (messages, cuts) => {
      const { a, b, received, failures } = recordPair({ rekeyAfterMessages: 5 })
      const sealed = messages.map(([m, inPlace]) => {
        if (!inPlace) return a.sealer.seal(m)
        const record = Buffer.alloc(2 + m.byteLength + 16)
        record.set(m, 2)
        return a.sealer.sealInPlace(record)
      })
      const wire = Buffer.concat(sealed)
      // where each record lies on the wire (after the key-update record a rekey puts in front of it)
      const starts: number[] = []
      for (let at = 0, k = 0; k < messages.length; at += sealed[k]!.byteLength, k++) starts.push(at + sealed[k]!.byteLength - (2 + messages[k]![0].byteLength + 16))
      const chunkEnds: number[] = []
      let at = 0
      for (let i = 0; at < wire.byteLength; i++) {
        const size = cuts[i % cuts.length] as number
        b.opener.push(wire.subarray(at, at + size))
        at = Math.min(at + size, wire.byteLength)
        chunkEnds.push(at)
      }
      assert.deepEqual(failures.r, [])
      // checked after every push: later records decrypted in place never touch earlier plaintexts
      assert.deepEqual(received.r.map((r) => Buffer.from(r).toString('hex')), messages.map(([m]) => Buffer.from(m).toString('hex')))
      received.r.forEach((plaintext, k) => {
        const body = starts[k]! + 2
        const end = body + plaintext.byteLength + 16
        const inOneChunk = chunkEnds.every((e) => e <= starts[k]! || e >= end)
        if (inOneChunk) assert.ok(plaintext.buffer === wire.buffer && plaintext.byteOffset === wire.byteOffset + body, `record ${k} decrypted where it lay`)
      })
    }), { numRuns: 100 })
  })

  it('sealInPlace refuses an empty or oversized plaintext', () => {
    const { a } = recordPair()
    assert.throws(() => a.sealer.sealInPlace(Buffer.alloc(18)), RangeError)
    assert.throws(() => a.sealer.sealInPlace(Buffer.alloc(2 + 65536 + 16)), RangeError)
  })
})
