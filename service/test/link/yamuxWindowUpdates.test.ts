import assert from 'node:assert/strict'
import { Uint8ArrayList } from 'uint8arraylist'
import { defaultLogger } from '@libp2p/logger'
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import { installBatchedWindowUpdates } from '../../src/link/yamuxWindowUpdates.js'
import { YAMUX_MAX_STREAM_WINDOW_BYTES } from '../../src/link/yamuxSettings.js'

const KIB = 1024
const INITIAL_WINDOW = 256 * KIB
const DATA = 0
const WINDOW_UPDATE = 1
const ACK = 2

interface SentFrame { type: number, flag: number, length: number }

/** One yamux stream of the library, its frames captured instead of sent. */
function stream (state: StreamState): { stream: YamuxStream, sent: SentFrame[] } {
  const sent: SentFrame[] = []
  const s = new YamuxStream({
    id: '1',
    streamId: 1,
    state,
    direction: 'inbound',
    log: defaultLogger().forComponent('test:yamux'),
    getRTT: () => 1,
    maxStreamWindowSize: YAMUX_MAX_STREAM_WINDOW_BYTES,
    sendFrame: (header) => { sent.push({ type: header.type, flag: header.flag, length: header.length }); return true }
  })
  return { stream: s, sent }
}

type DataFrame = Parameters<YamuxStream['handleData']>[0]

function receive (s: YamuxStream, bytes: number): void {
  // the list class of the library's own copy of uint8arraylist (same API, another version than ours)
  const data = new Uint8ArrayList(new Uint8Array(bytes)) as unknown as DataFrame['data']
  s.handleData({ header: { type: DATA, flag: 0, streamID: 1, length: bytes }, data })
}

describe('link/yamuxWindowUpdates: a window update once half the window is used', () => {
  before(() => { installBatchedWindowUpdates() })

  it('1 MiB in 16 KiB frames: a few updates (the library sends one per frame), each worth at least half a window, credit never above the cap', () => {
    const { stream: s, sent } = stream(StreamState.Established)
    let updates = 0
    let credit = INITIAL_WINDOW
    for (let i = 0; i < 64; i++) {
      assert.ok(credit >= 16 * KIB, 'the sender never runs out of credit while the reader reads')
      receive(s, 16 * KIB)
      credit -= 16 * KIB
      for (const f of sent.splice(0)) {
        assert.equal(f.type, WINDOW_UPDATE)
        assert.ok(f.length >= INITIAL_WINDOW / 2, `an update of ${f.length} bytes`)
        credit += f.length
        updates++
      }
    }
    assert.ok(updates >= 2 && updates <= 8, `${updates} updates for 64 frames`)
    assert.ok(credit <= YAMUX_MAX_STREAM_WINDOW_BYTES)
  })

  it('the ACK of a stream the peer opened goes out with the first frame, however small', () => {
    const { stream: s, sent } = stream(StreamState.SYNReceived)
    receive(s, 100)
    assert.deepEqual(sent, [{ type: WINDOW_UPDATE, flag: ACK, length: 100 }])
    receive(s, 100)
    assert.deepEqual(sent.length, 1, 'then batched like any stream')
  })

  it('a paused stream sends no update; on resume one goes out if half the window is used', () => {
    const { stream: s, sent } = stream(StreamState.Established)
    s.pause()
    for (let i = 0; i < 12; i++) receive(s, 16 * KIB)
    assert.equal(sent.length, 0)
    s.resume()
    const update: SentFrame | undefined = sent[0]
    assert.equal(sent.length, 1)
    assert.equal(update?.type, WINDOW_UPDATE)
    assert.ok((update?.length ?? 0) >= 192 * KIB)
  })
})
