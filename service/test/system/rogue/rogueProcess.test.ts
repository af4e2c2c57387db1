import assert from 'node:assert/strict'
import { addressHex, capturedPackets } from './rogueProcess.js'

describe('system/rogue: reading a tcpdump capture', () => {
  it('finds every IPv6 packet and the echo fields, addresses normalised to hex', () => {
    const text = [
      '14:20:01.000001 IP6 fd50:1::2 > fd50:0:0:0:0:0:0:3: ICMP6, echo request, id 28519, seq 1, length 41',
      '14:20:01.000002 IP6 fd50:0::3 > fd50:1::2: ICMP6, echo reply, id 28519, seq 1, length 41',
      '14:20:01.000003 IP6 fe80::1 > ff02::2: ICMP6, router solicitation, length 8',
      '14:20:01.000004 IP6 fd50::3.8080 > fd50:1::2.40000: Flags [S.], seq 1, win 1, length 0',
      'reading from file x.pcap, link-type RAW (Raw IP), snapshot length 262144'
    ].join('\n')
    const [r2, r3] = [addressHex('fd50:1::2'), addressHex('fd50::3')]
    assert.equal(r3, 'fd500000000000000000000000000003')
    assert.deepEqual(capturedPackets(text), [
      { source: r2, destination: r3, echo: { kind: 'request', identifier: 28519, sequence: 1 } },
      { source: r3, destination: r2, echo: { kind: 'reply', identifier: 28519, sequence: 1 } },
      { source: addressHex('fe80::1'), destination: addressHex('ff02::2') },
      { source: r3, destination: r2 }
    ])
    assert.deepEqual(capturedPackets(''), [])
  })
})
