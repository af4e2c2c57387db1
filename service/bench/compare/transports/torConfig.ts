/**
 * torrc text for the private Tor network, pure. Everything listens on
 * 127.0.0.1 inside one namespace that has only a loopback interface; the
 * only directory authorities any node knows are the private ones.
 * Voting timings follow the fast settings tor's own test networks use
 * (TestingTorNetwork 1 with a 20 s voting interval).
 */

export interface AuthorityIdentity {
  nickname: string
  orPort: number
  dirPort: number
  /** v3 identity (authority_certificate "fingerprint" line), 40 hex digits. */
  v3Ident: string
  /** Relay identity fingerprint (RSA), 40 hex digits. */
  fingerprint: string
}

export interface TorNodeSettings {
  nickname: string
  dataDirectory: string
  authorities: readonly AuthorityIdentity[]
  /** Tor exits when this process does (__OwningControllerProcess). */
  ownerPid: number
}

const HEX40 = /^[0-9A-F]{40}$/

/** `DirAuthority nick orport=N no-v2 v3ident=HEX 127.0.0.1:dirport FINGERPRINT`. */
export function dirAuthorityLine (a: AuthorityIdentity): string {
  if (!HEX40.test(a.v3Ident) || !HEX40.test(a.fingerprint)) throw new Error(`authority ${a.nickname}: identities must be 40 upper-case hex digits`)
  return `DirAuthority ${a.nickname} orport=${a.orPort} no-v2 v3ident=${a.v3Ident} 127.0.0.1:${a.dirPort} ${a.fingerprint}`
}

/** Relay fingerprint from `tor --list-fingerprint` output or a DataDirectory/fingerprint file ("Nick AAAA BBBB …" or "Nick AAAABBBB…"). */
export function parseFingerprintLine (text: string): string {
  for (const line of text.split('\n')) {
    const match = /^\S+\s+((?:[0-9A-F]{4}\s?){10})\s*$/.exec(line.trim())
    if (match !== null) return (match[1] as string).replace(/\s/g, '')
  }
  throw new Error(`no relay fingerprint in: ${text.slice(0, 300)}`)
}

/** The v3 identity fingerprint from an authority_certificate made by tor-gencert. */
export function parseCertificateFingerprint (certificate: string): string {
  const match = /^fingerprint ([0-9A-F]{40})$/m.exec(certificate)
  if (match === null) throw new Error('authority certificate has no fingerprint line')
  return match[1] as string
}

function common (s: TorNodeSettings): string[] {
  return [
    'TestingTorNetwork 1',
    `Nickname ${s.nickname}`,
    `DataDirectory ${s.dataDirectory}`,
    'RunAsDaemon 0',
    `__OwningControllerProcess ${s.ownerPid}`,
    'ShutdownWaitLength 0',
    'Log notice stdout',
    'SafeLogging 0',
    'AddressDisableIPv6 1',
    'ClientUseIPv6 0',
    'AvoidDiskWrites 1',
    ...s.authorities.map(dirAuthorityLine)
  ]
}

/** Flags and voting schedule every relay (authorities included) uses. */
function relayCommon (s: TorNodeSettings, orPort: number, exitFingerprint: string): string[] {
  return [
    ...common(s),
    'Address 127.0.0.1',
    `ORPort 127.0.0.1:${orPort}`,
    'SocksPort 0',
    'AssumeReachable 1',
    'PathsNeededToBuildCircuits 0.25',
    `TestingDirAuthVoteExit $${exitFingerprint}`,
    'TestingDirAuthVoteGuard *',
    'TestingDirAuthVoteHSDir *',
    'TestingMinExitFlagThreshold 0',
    'V3AuthNIntervalsValid 2',
    `ContactInfo ${s.nickname}@bench.invalid`
  ]
}

export function authorityTorrc (s: TorNodeSettings, self: AuthorityIdentity, exitFingerprint: string): string {
  return [
    ...relayCommon(s, self.orPort, exitFingerprint),
    `DirPort 127.0.0.1:${self.dirPort}`,
    'AuthoritativeDirectory 1',
    'V3AuthoritativeDirectory 1',
    'TestingV3AuthInitialVotingInterval 20',
    'TestingV3AuthInitialVoteDelay 4',
    'TestingV3AuthInitialDistDelay 4',
    'V3AuthVotingInterval 20',
    'V3AuthVoteDelay 4',
    'V3AuthDistDelay 4',
    'AuthDirMaxServersPerAddr 0',
    'ExitRelay 0',
    'ExitPolicy reject *:*'
  ].join('\n') + '\n'
}

export function relayTorrc (s: TorNodeSettings, orPort: number, exitFingerprint: string): string {
  return [...relayCommon(s, orPort, exitFingerprint), 'ExitRelay 0', 'ExitPolicy reject *:*'].join('\n') + '\n'
}

/** The one exit: only to the bench server's address and port on the namespace's loopback. */
export function exitTorrc (s: TorNodeSettings, orPort: number, exitFingerprint: string, target: { host: string, port: number }): string {
  return [
    ...relayCommon(s, orPort, exitFingerprint),
    'ExitRelay 1',
    'IPv6Exit 0',
    'ExitPolicyRejectPrivate 0',
    'ExitPolicyRejectLocalInterfaces 0',
    `ExitPolicy accept ${target.host}:${target.port}`,
    'ExitPolicy reject *:*'
  ].join('\n') + '\n'
}

/** A v3 onion service in front of the bench server. */
export function onionServiceTorrc (s: TorNodeSettings, serviceDirectory: string, virtualPort: number, target: { host: string, port: number }): string {
  return [
    ...common(s),
    'SocksPort 0',
    `HiddenServiceDir ${serviceDirectory}`,
    'HiddenServiceVersion 3',
    `HiddenServicePort ${virtualPort} ${target.host}:${target.port}`
  ].join('\n') + '\n'
}

/**
 * The client: a SOCKS port with tor's extended error codes; circuits isolated
 * by SOCKS credentials (tor's default). It fetches full relay descriptors
 * (UseMicrodescriptors 0): a microdescriptor carries only a port summary of
 * the exit policy, which counts accept rules only when they cover every
 * address, so "accept 127.0.0.1:7000" would read as "reject 1-65535" and no
 * exit would ever be chosen.
 */
export function clientTorrc (s: TorNodeSettings, socksPort: number): string {
  return [...common(s), `SocksPort 127.0.0.1:${socksPort} ExtendedErrors IsolateSOCKSAuth`, 'UseMicrodescriptors 0'].join('\n') + '\n'
}
