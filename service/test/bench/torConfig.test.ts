import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  authorityTorrc, clientTorrc, dirAuthorityLine, exitTorrc, onionServiceTorrc, parseCertificateFingerprint, parseFingerprintLine, relayTorrc,
  type AuthorityIdentity, type TorNodeSettings
} from '../../bench/compare/transports/torConfig.js'

const hex40 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex').toUpperCase())
const authority: AuthorityIdentity = { nickname: 'auth0', orPort: 5000, dirPort: 7100, v3Ident: 'A'.repeat(40), fingerprint: 'B'.repeat(40) }
const settings: TorNodeSettings = { nickname: 'n', dataDirectory: '/tmp/x', authorities: [authority], ownerPid: 42 }

describe('private Tor network configuration', () => {
  it('reads relay fingerprints as tor --list-fingerprint and the fingerprint file print them', () => {
    fc.assert(fc.property(hex40, (fp) => {
      const spaced = fp.match(/.{4}/g)?.join(' ') ?? ''
      assert.equal(parseFingerprintLine(`auth0 ${spaced}\n`), fp)
      assert.equal(parseFingerprintLine(`Jan 01 00:00:00.000 [warn] something\nUnnamed ${fp}\n`), fp)
    }))
    assert.throws(() => parseFingerprintLine('no fingerprint here'), /no relay fingerprint/)
    assert.throws(() => parseFingerprintLine('x 1234'), /no relay fingerprint/)
  })

  it('reads the v3 identity of an authority certificate', () => {
    const cert = 'dir-key-certificate-version 3\ndir-address 127.0.0.1:7100\nfingerprint 6E095045A1A61E166AC39E872AD27335A4511486\ndir-key-published 2026-11-22 08:00:00\n'
    assert.equal(parseCertificateFingerprint(cert), '6E095045A1A61E166AC39E872AD27335A4511486')
    assert.throws(() => parseCertificateFingerprint('dir-key-certificate-version 3\n'), /no fingerprint/)
  })

  it('writes DirAuthority lines for the private authorities only, and refuses malformed identities', () => {
    assert.equal(dirAuthorityLine(authority), `DirAuthority auth0 orport=5000 no-v2 v3ident=${'A'.repeat(40)} 127.0.0.1:7100 ${'B'.repeat(40)}`)
    assert.throws(() => dirAuthorityLine({ ...authority, v3Ident: 'abc' }), /40 upper-case hex/)
    const all = [
      authorityTorrc(settings, authority, 'C'.repeat(40)), relayTorrc(settings, 5100, 'C'.repeat(40)),
      exitTorrc(settings, 5103, 'C'.repeat(40), { host: '127.0.0.1', port: 7000 }),
      onionServiceTorrc(settings, '/tmp/x/hs', 7000, { host: '127.0.0.1', port: 7000 }), clientTorrc(settings, 9050)
    ]
    for (const text of all) {
      assert.match(text, /^TestingTorNetwork 1$/m)
      assert.match(text, /^__OwningControllerProcess 42$/m)
      const dirAuthorities = text.split('\n').filter((l) => l.startsWith('DirAuthority '))
      assert.deepEqual(dirAuthorities, [dirAuthorityLine(authority)])
      assert.doesNotMatch(text, /^(Bridge|FallbackDir|UseBridges) /m)
    }
  })

  it('limits the exit to the bench server and keeps every other relay from exiting', () => {
    const exit = exitTorrc(settings, 5103, 'C'.repeat(40), { host: '127.0.0.1', port: 7000 })
    const policies = exit.split('\n').filter((l) => l.startsWith('ExitPolicy '))
    assert.deepEqual(policies, ['ExitPolicy accept 127.0.0.1:7000', 'ExitPolicy reject *:*'])
    assert.match(relayTorrc(settings, 5100, 'C'.repeat(40)), /^ExitPolicy reject \*:\*$/m)
    assert.match(authorityTorrc(settings, authority, 'C'.repeat(40)), /^ExitPolicy reject \*:\*$/m)
    assert.match(clientTorrc(settings, 9050), /^SocksPort 127\.0\.0\.1:9050 /m)
  })
})
