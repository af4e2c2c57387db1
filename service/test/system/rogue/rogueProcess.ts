import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseIpv6 } from '../../../src/netdb/ipv6Text.js'
import { JsonLineChild } from '../../tun/helpers/jsonLineChild.js'
import { serviceDir } from '../../harness/repoPaths.js'

const here = dirname(fileURLToPath(import.meta.url))
const fromSource = import.meta.url.endsWith('.ts')

/**
 * Starts the rogue sender (rogueApSender.ts) inside a network namespace, from
 * dist/ or, when the tests run from source, through tsx. The caller owns the
 * child: `exit()` (closes stdin: the node stops) or `kill()`.
 */
export function spawnRogueSender (netns: string, options: { config: string, target: string, log: string, connectTimeoutSeconds?: number }): JsonLineChild {
  const entry = join(here, fromSource ? 'rogueApSender.ts' : 'rogueApSender.js')
  const args = ['--config', options.config, '--target', options.target, '--log', options.log, '--connect-timeout', String(options.connectTimeoutSeconds ?? 300)]
  return new JsonLineChild('ip', ['netns', 'exec', netns, process.execPath, ...(fromSource ? ['--import', 'tsx'] : []), entry, ...args], serviceDir())
}

export interface CapturedPacket {
  /** Addresses as 32 hex digits (tcpdump's text form and ours may differ). */
  source: string
  destination: string
  /** Set for ICMPv6 echo messages. */
  echo?: { kind: 'request' | 'reply', identifier: number, sequence: number }
}

/** Every IPv6 packet in `tcpdump -n -r` output (one line each; a `.port` after an address is dropped). */
export function capturedPackets (tcpdumpText: string): CapturedPacket[] {
  const out: CapturedPacket[] = []
  for (const line of tcpdumpText.split('\n')) {
    const match = / IP6 ([0-9a-f:.]+) > ([0-9a-f:.]+): (.*)$/.exec(line)
    if (match === null) continue
    const packet: CapturedPacket = { source: addressHex(match[1]!), destination: addressHex(match[2]!) }
    const echo = /^ICMP6, echo (request|reply), id (\d+), seq (\d+)/.exec(match[3]!)
    if (echo !== null) packet.echo = { kind: echo[1] as 'request' | 'reply', identifier: Number(echo[2]), sequence: Number(echo[3]) }
    out.push(packet)
  }
  return out
}

/** An IPv6 address (optionally followed by tcpdump's `.port`) as 32 hex digits. */
export function addressHex (text: string): string {
  return parseIpv6(text.replace(/^([0-9a-f:]+:[0-9a-f]*)\.\d+$/, '$1')).toString('hex')
}
