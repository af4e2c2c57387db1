/**
 * A home behind NAT on a NamespaceLan, as a user's node sits behind a home
 * router: a router namespace with one leg on the LAN's bridge (`wan0`,
 * 10.78.0.<200+h>) and one into the home (`lan0`, 10.79.<h>.1/24), and the
 * home namespace behind it (`eth0`, 10.79.<h>.2/24, default route via the
 * router). The router masquerades what the home sends out (nftables) and,
 * like a home router without port forwarding, drops every connection that
 * starts on the LAN side. Nothing on the LAN has a route into the home.
 * `remove()` deletes both namespaces (their veths, addresses and rules go
 * with them); names carry the creating pid, so a crashed run's are removed
 * by the next one like the LAN's.
 */
import { writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NamespaceLan } from './namespaceLan.js'
import { LAN_PREFIX } from './namespaceLan.js'
import { mustRun, TestNamespace } from '../tun/helpers/testNamespace.js'

export class NatHome {
  readonly router = new TestNamespace()
  readonly home = new TestNamespace()

  private constructor (readonly index: number) {}

  /** The router's address on the LAN: what the home's connections come from, as the LAN sees them. */
  get wanAddress (): string {
    return `${LAN_PREFIX}.${200 + this.index}`
  }

  /** The home node's own (private) address. */
  get homeAddress (): string {
    return `10.79.${this.index}.2`
  }

  /** `index` 1..50, distinct per LAN. */
  static async create (lan: NamespaceLan, index: number): Promise<NatHome> {
    if (!Number.isInteger(index) || index < 1 || index > 50) throw new RangeError('home index 1..50')
    const nat = new NatHome(index)
    const inner = `10.79.${index}`
    try {
      await nat.router.create()
      await nat.home.create()
      const hubSide = `nat${index}`
      await mustRun('ip', ['link', 'add', 'wan0', 'netns', nat.router.name, 'type', 'veth', 'peer', 'name', hubSide, 'netns', lan.hub.name])
      await mustRun('ip', ['-n', lan.hub.name, 'link', 'set', hubSide, 'master', 'br0', 'up'])
      await mustRun('ip', ['-n', nat.router.name, 'address', 'add', `${nat.wanAddress}/24`, 'dev', 'wan0'])
      await mustRun('ip', ['-n', nat.router.name, 'link', 'set', 'wan0', 'up'])
      await mustRun('ip', ['link', 'add', 'lan0', 'netns', nat.router.name, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', nat.home.name])
      await mustRun('ip', ['-n', nat.router.name, 'address', 'add', `${inner}.1/24`, 'dev', 'lan0'])
      await mustRun('ip', ['-n', nat.router.name, 'link', 'set', 'lan0', 'up'])
      await mustRun('ip', ['-n', nat.home.name, 'address', 'add', `${inner}.2/24`, 'dev', 'eth0'])
      await mustRun('ip', ['-n', nat.home.name, 'link', 'set', 'eth0', 'up'])
      await mustRun('ip', ['-n', nat.home.name, 'route', 'add', 'default', 'via', `${inner}.1`])
      await mustRun('ip', ['netns', 'exec', nat.router.name, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'])
      const rules = join(tmpdir(), `${nat.router.name}.nft`)
      await writeFile(rules, [
        'table ip home {',
        '  chain forward {',
        '    type filter hook forward priority 0; policy drop;',
        '    ct state established,related accept',
        `    iifname "lan0" ip saddr ${inner}.0/24 accept`,
        '  }',
        '  chain postrouting {',
        '    type nat hook postrouting priority 100;',
        `    oifname "wan0" ip saddr ${inner}.0/24 masquerade`,
        '  }',
        '}',
        ''
      ].join('\n'))
      try {
        await mustRun('ip', ['netns', 'exec', nat.router.name, 'nft', '-f', rules])
      } finally {
        await rm(rules, { force: true })
      }
    } catch (err) {
      await nat.remove()
      throw err
    }
    return nat
  }

  async remove (): Promise<void> {
    await Promise.allSettled([this.home, this.router].map(async (ns) => { await ns.remove() }))
  }
}
