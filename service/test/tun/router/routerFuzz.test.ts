import assert from 'node:assert/strict'
import fc from 'fast-check'
import { type DatagramChannel } from '../../../src/tun/router/datagramSessions.js'
import { A, B, RouterPair } from '../helpers/routerPair.js'
import { addr, asFragment, echoPacket, icmpErrorPacket, tcpPacket, udpPacket, withExtensionHeaders } from '../helpers/routerTestPackets.js'

const LIMITS = {
  maxQueuedPacketsPerDestination: 4,
  maxQueuedBytesPerDestination: 4096,
  maxQueuedBytes: 16_384,
  maxOpening: 4,
  maxChannels: 6,
  firewall: { maxFlows: 16, maxFragmentedPackets: 4, expose: [80, 53] }
}

const someAddress = fc.oneof(
  { arbitrary: fc.constantFrom(A, B), weight: 6 },
  fc.constantFrom(addr('fd50::c'), addr('ff02::1'), addr('fe80::1')),
  fc.uint8Array({ minLength: 14, maxLength: 14 }).map((b) => Buffer.concat([Buffer.from([0xfd, 0x50]), b])),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b))
)
const port = fc.oneof(fc.constantFrom(53, 80, 22, 40000), fc.integer({ min: 0, max: 65535 }))

/** Plausible packets of every kind the router treats, then mutated and cut. */
const packet = fc.tuple(
  someAddress, someAddress, port, port, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 96 }),
  fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 })),
  fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, fc.nat())
).map(([s, d, sp, dp, flags, kind, data, edits, cut]) => {
  let p: Buffer
  switch (kind) {
    case 0: p = tcpPacket(s, d, sp, dp, flags, data); break
    case 1: p = udpPacket(s, d, sp, dp, data); break
    case 2: p = echoPacket(s, d, flags % 2 === 0 ? 128 : 129, sp, dp, data.length); break
    case 3: p = icmpErrorPacket(s, d, 1 + flags % 4, 0, 1280, tcpPacket(d, s, dp, sp, 2, data)); break
    case 4: p = withExtensionHeaders(udpPacket(s, d, sp, dp, data)); break
    case 5: p = asFragment(udpPacket(s, d, sp, dp, data), flags % 3 === 0 ? 0 : (flags * 8) % 512, flags % 2 === 0, sp); break
    case 6: p = Buffer.from(data); break
    default: p = Buffer.concat([Buffer.from([0x60]), Buffer.from(data)])
  }
  p = Buffer.from(p)
  for (const [at, value] of edits) if (p.length > 0) p[at % p.length] = value
  return cut === null ? p : p.subarray(0, cut % (p.length + 1))
})

const action = fc.tuple(
  fc.oneof({ arbitrary: fc.constantFrom('a-out', 'b-out'), weight: 6 }, fc.constantFrom('a-in', 'b-in', 'tick', 'settle', 'fail', 'release')),
  packet, fc.constantFrom(A, B, addr('fd50::c')))

describe('tun/router: random and mutated packets', () => {
  it('never throw out of the router, never hit an internal error, and keep every table and queue within its bound', async () => {
    const seen = { delivered: 0, forwarded: 0 }
    await fc.assert(fc.asyncProperty(fc.array(action, { maxLength: 60 }), fc.boolean(), async (actions, hold) => {
      const pair = new RouterPair(LIMITS, LIMITS)
      pair.a.sessions.holdOpens = hold
      try {
        for (const [kind, p, peer] of actions) {
          const stranger: DatagramChannel = { peerAp: peer, maxPacket: 1400, send: () => true }
          if (kind === 'a-out') pair.a.router.handleOutbound(p)
          else if (kind === 'b-out') pair.b.router.handleOutbound(p)
          else if (kind === 'a-in') pair.a.router.deliverInbound(stranger, p)
          else if (kind === 'b-in') pair.b.router.deliverInbound(stranger, p)
          else if (kind === 'tick') { pair.clock.advance(p.length * 1000); pair.a.router.sweep(); pair.b.router.sweep() }
          else if (kind === 'settle') await pair.settle()
          else if (pair.a.sessions.pending.length > 0) {
            if (kind === 'fail') pair.a.sessions.fail()
            else pair.a.sessions.release()
          }
          for (const side of [pair.a, pair.b]) {
            const s = side.router.stats
            assert.equal(s.outbound.internalError + s.inbound.internalError, 0, JSON.stringify(s))
            assert.ok(s.channels.queuedBytes <= LIMITS.maxQueuedBytes && s.channels.queuedBytes >= 0)
            assert.ok(s.channels.queuedPackets <= LIMITS.maxQueuedPacketsPerDestination * LIMITS.maxOpening)
            assert.ok(s.channels.opening <= LIMITS.maxOpening)
            assert.ok(s.channels.open <= LIMITS.maxChannels)
            assert.ok(s.channels.unreachable <= LIMITS.maxChannels)
            assert.ok(s.firewall.trackedFlows <= LIMITS.firewall.maxFlows)
            assert.ok(s.firewall.fragmentedPackets <= LIMITS.firewall.maxFragmentedPackets)
          }
        }
        await pair.settle()
        seen.delivered += pair.a.router.stats.inbound.delivered + pair.b.router.stats.inbound.delivered
        seen.forwarded += pair.a.router.stats.outbound.forwarded + pair.b.router.stats.outbound.forwarded
        for (const side of [pair.a, pair.b]) {
          const s = side.router.stats
          const o = s.outbound
          // Every outbound packet is accounted for exactly once by its first fate.
          const classified = o.notIpv6 + o.malformed + o.notApDestination + o.foreignSource + o.ownDestination + o.openingLimit +
            o.queueFull + o.queued + o.forwarded + o.tooBig + o.channelDropped + o.unreachable
          assert.ok(classified >= o.packets, JSON.stringify(o))
        }
      } finally {
        pair.close()
      }
    }), { numRuns: 150 })
    assert.ok(seen.forwarded > 0 && seen.delivered > 0, `the generated packets also reach the far side: ${JSON.stringify(seen)}`)
  })
})
