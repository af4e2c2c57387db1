import assert from 'node:assert/strict'
import { MAX_DATAGRAM_BYTES } from '../../../src/session/sessionLimits.js'
import type { Session } from '../../../src/session/streams/session.js'
import { channelForSession, type DatagramSession } from '../../../src/tun/router/sessionChannel.js'
import { A } from '../helpers/routerPair.js'

/** Compile-time check: a real Session is a DatagramSession. */
export const sessionIsDatagramSession = (session: Session): DatagramSession => session

describe('tun/router: a session as a datagram channel', () => {
  it('is one stable channel per session that follows its closed state and refuses what a DATAGRAM cannot carry', () => {
    const sent: number[] = []
    const session: { -readonly [K in keyof DatagramSession]: DatagramSession[K] } = {
      peer: { apAddress: A },
      isClosed: false,
      sendDatagram: (p: Uint8Array): boolean => { sent.push(p.byteLength); return true }
    }
    const channel = channelForSession(session)
    assert.equal(channelForSession(session), channel)
    assert.deepEqual(channel.peerAp, A)
    assert.equal(channel.maxPacket, MAX_DATAGRAM_BYTES)
    assert.equal(channel.send(Buffer.alloc(100)), true)
    assert.equal(channel.send(Buffer.alloc(0)), false)
    assert.equal(channel.send(Buffer.alloc(MAX_DATAGRAM_BYTES + 1)), false)
    assert.deepEqual(sent, [100])
    assert.equal(channel.closed, false)
    session.isClosed = true
    assert.equal(channel.closed, true)
    const throwing = { ...session, sendDatagram: (): boolean => { throw new Error('closed') } }
    assert.equal(channelForSession(throwing).send(Buffer.alloc(1)), false)
  })
})
