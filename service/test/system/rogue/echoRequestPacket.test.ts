import assert from 'node:assert/strict'
import fc from 'fast-check'
import { icmpv6Checksum, IPPROTO_ICMPV6 } from '../../../src/tun/icmpv6Checksum.js'
import { parseIpv6Packet } from '../../../src/tun/ipv6Packet.js'
import { PacketRouter } from '../../../src/tun/router/packetRouter.js'
import { type DatagramChannel } from '../../../src/tun/router/datagramSessions.js'
import { echoReplyFor } from '../../tun/helpers/icmpv6Echo.js'
import { echoRequestPacket, parseEchoReply } from './echoRequestPacket.js'

const apAddress = fc.uint8Array({ minLength: 14, maxLength: 14 }).map((rest) => Buffer.concat([Buffer.from([0xfd, 0x50]), rest]))
const u16 = fc.integer({ min: 0, max: 0xffff })
const data = fc.uint8Array({ maxLength: 200 })

function channelOf (peerAp: Buffer): DatagramChannel {
  return { peerAp, maxPacket: 65_000, send: () => true }
}

describe('system/rogue: the rogue sender\'s echo requests', () => {
  it('are well-formed ICMPv6 echo requests whose checksum verifies over the source they carry, whatever it is', () => {
    fc.assert(fc.property(apAddress, apAddress, u16, u16, data, (source, destination, identifier, sequence, bytes) => {
      const packet = echoRequestPacket({ source, destination, identifier, sequence, data: bytes })
      const { header, payload } = parseIpv6Packet(packet)
      assert.equal(header.nextHeader, IPPROTO_ICMPV6)
      assert.deepEqual([header.source, header.destination], [source, destination])
      assert.equal(payload[0], 128)
      assert.equal(payload[1], 0)
      assert.deepEqual([payload.readUInt16BE(4), payload.readUInt16BE(6)], [identifier, sequence])
      assert.deepEqual(payload.subarray(8), Buffer.from(bytes))
      assert.equal(icmpv6Checksum(source, destination, payload), 0)
    }))
  })

  it('a forged copy differs from the genuine packet only in the source and the checksum', () => {
    fc.assert(fc.property(apAddress, apAddress, apAddress, u16, u16, data, (genuine, forged, destination, identifier, sequence, bytes) => {
      fc.pre(!genuine.equals(forged))
      const a = echoRequestPacket({ source: genuine, destination, identifier, sequence, data: bytes })
      const b = echoRequestPacket({ source: forged, destination, identifier, sequence, data: bytes })
      assert.equal(a.length, b.length)
      const differing = [...a.keys()].filter((i) => a[i] !== b[i])
      assert.ok(differing.every((i) => (i >= 8 && i < 24) || i === 42 || i === 43), `bytes ${differing.join(',')} differ`)
      // the genuine checksum would not verify over the forged source: the forged packet's was recomputed
      assert.equal(icmpv6Checksum(forged, destination, parseIpv6Packet(b).payload), 0)
    }))
  })

  it('parseEchoReply reads the kernel\'s answer (addresses swapped, same identifier and sequence) and nothing else', () => {
    fc.assert(fc.property(apAddress, apAddress, u16, u16, data, (source, destination, identifier, sequence, bytes) => {
      const request = echoRequestPacket({ source, destination, identifier, sequence, data: bytes })
      const reply = parseEchoReply(echoReplyFor(request)!)
      assert.deepEqual(reply, { source: destination, destination: source, identifier, sequence, checksumValid: true })
      assert.equal(parseEchoReply(request), null, 'a request is not a reply')
    }))
  })

  it('parseEchoReply never throws on arbitrary or mutated bytes', () => {
    const reply = echoReplyFor(echoRequestPacket({ source: Buffer.alloc(16, 1), destination: Buffer.alloc(16, 2), identifier: 1, sequence: 2, data: Buffer.alloc(8) }))!
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => { parseEchoReply(bytes) }))
    fc.assert(fc.property(fc.nat(reply.length - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
      const mutated = Buffer.from(reply)
      mutated[at] = value
      const parsed = parseEchoReply(mutated)
      // one changed byte of an address or of the message (checksum field aside) breaks the checksum
      if (value !== reply[at] && ((at >= 8 && at < 40) || at >= 44)) assert.equal(parsed?.checksumValid, false)
    }))
  })

  it('a receiving router delivers the genuine packet and drops the forged one as forgedSource (only the source check rejects it)', () => {
    const rogue = Buffer.from('fd50000000000000000000000000aaaa', 'hex')
    const victim = Buffer.from('fd50000000000000000000000000bbbb', 'hex')
    const impersonated = Buffer.from('fd50000000000000000000000000cccc', 'hex')
    const delivered: Buffer[] = []
    const router = new PacketRouter({ sessions: { channelTo: async () => await Promise.reject(new Error('unused')) }, localAddresses: [victim], deliverToHost: (p) => { delivered.push(p) }, firewall: {}, sweepIntervalMs: 0 })
    try {
      const channel = channelOf(rogue)
      const genuine = echoRequestPacket({ source: rogue, destination: victim, identifier: 9, sequence: 1, data: Buffer.from('x') })
      const forged = echoRequestPacket({ source: impersonated, destination: victim, identifier: 9, sequence: 2, data: Buffer.from('x') })
      router.deliverInbound(channel, forged)
      router.deliverInbound(channel, genuine)
      assert.deepEqual(delivered, [genuine])
      const { inbound } = router.stats
      assert.deepEqual([inbound.packets, inbound.forgedSource, inbound.delivered, inbound.malformed], [2, 1, 1, 0])
      // the same forged packet over a session authenticated as the impersonated address is accepted: it is well formed
      router.deliverInbound(channelOf(impersonated), forged)
      assert.deepEqual(delivered, [genuine, forged])
    } finally {
      router.close()
    }
  })
})
