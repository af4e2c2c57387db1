/**
 * What libp2p-noise's throwing length reader costs against ours
 * (src/link/noiseLengthDecoder.ts), in libp2p's own LengthPrefixedDecoder, side
 * by side in one run: a relay's stream of Noise messages arriving in reads
 * that end on message boundaries, as they mostly do on a relay (the sender
 * writes whole messages): reads of one 65535-byte message, and reads of a
 * 65535-byte and a 1000-byte message. Every such read ends with the reader
 * asked for a length it does not have yet. Prints decoded MiB/s and the cost
 * per read for each reader, alternated.
 * Run: npx tsx bench/noiseLengthDecoder.ts [--rounds 5]
 */
import { LengthPrefixedDecoder } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'
import { uint16LengthOrWait } from '../src/link/noiseLengthDecoder.js'
import { median, positiveIntegerArg } from './benchStats.js'

const ROUNDS = positiveIntegerArg('rounds', 5)
const MESSAGE = 65535
const MESSAGES = 4000

/** libp2p-noise's reader (encoder.js), restated. */
function throwingUint16 (data: Uint8Array | Uint8ArrayList): number {
  if (data.byteLength < 2) throw new RangeError('Could not decode int16BE')
  return data instanceof Uint8Array ? (data[0]! << 8) + data[1]! : data.getUint16(0)
}

function framed (length: number): Buffer {
  const frame = Buffer.alloc(2 + length)
  frame.writeUInt16BE(length, 0)
  return frame
}
const reads: Buffer[] = [framed(MESSAGE), Buffer.concat([framed(MESSAGE), framed(1000)])]

function run (lengthDecoder: (d: Uint8Array | Uint8ArrayList) => number): { mibPerSecond: number, nsPerRead: number } {
  const decoder = new LengthPrefixedDecoder({ lengthDecoder, maxBufferSize: 16 * 1024 * 1024, encodingLength: () => 2 })
  let messages = 0
  let bytes = 0
  let readsDone = 0
  const start = process.hrtime.bigint()
  while (messages < MESSAGES) {
    for (const read of reads) {
      for (const message of decoder.decode(read)) { messages++; bytes += message.byteLength }
      readsDone++
    }
  }
  const ns = Number(process.hrtime.bigint() - start)
  return { mibPerSecond: bytes / 2 ** 20 / (ns / 1e9), nsPerRead: ns / readsDone }
}

const results: Record<'throwing' | 'ours', Array<{ mibPerSecond: number, nsPerRead: number }>> = { throwing: [], ours: [] }
run(throwingUint16); run(uint16LengthOrWait) // warm-up
for (let r = 0; r < ROUNDS; r++) {
  results.throwing.push(run(throwingUint16))
  results.ours.push(run(uint16LengthOrWait))
}
const row = (name: 'throwing' | 'ours'): { mibPerSecond: number, nsPerRead: number } => ({
  mibPerSecond: median(results[name].map((x) => x.mibPerSecond)),
  nsPerRead: median(results[name].map((x) => x.nsPerRead))
})
const [t, o] = [row('throwing'), row('ours')]
console.log(`LengthPrefixedDecoder, reads of whole messages (${MESSAGE} bytes; ${MESSAGE} + 1000 bytes), median of ${ROUNDS} alternated rounds`)
console.log('| length reader | decoded MiB/s | ns per read |')
console.log('|---|---|---|')
console.log(`| libp2p-noise's (throws when < 2 bytes) | ${t.mibPerSecond.toFixed(0)} | ${t.nsPerRead.toFixed(0)} |`)
console.log(`| ours (answers 65535) | ${o.mibPerSecond.toFixed(0)} | ${o.nsPerRead.toFixed(0)} |`)
console.log(`| ours / theirs | ${(o.mibPerSecond / t.mibPerSecond).toFixed(2)} | ${(o.nsPerRead / t.nsPerRead).toFixed(2)} |`)
console.log(JSON.stringify({ bench: 'noiseLengthDecoder', rounds: ROUNDS, throwing: t, ours: o }))
