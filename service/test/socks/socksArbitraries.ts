import fc from 'fast-check'
import type { SocksAddress, SocksRequest } from '../../src/socks/socksCodec.js'

export const arbitrarySocksAddress: fc.Arbitrary<SocksAddress> = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map(b => ({ type: 'ipv4' as const, bytes: Buffer.from(b) })),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map(b => ({ type: 'ipv6' as const, bytes: Buffer.from(b) })),
  fc.uint8Array({ minLength: 1, maxLength: 255 }).map(b => ({ type: 'domain' as const, name: Buffer.from(b) }))
)

export const arbitrarySocksRequest: fc.Arbitrary<SocksRequest> = fc.record({
  command: fc.integer({ min: 0, max: 255 }),
  address: arbitrarySocksAddress,
  port: fc.integer({ min: 0, max: 0xffff })
}).map(r => ({ command: r.command, address: r.address, port: r.port }))
