/**
 * Opens a TUN device in this process (root namespace) and moves it into a
 * test namespace as `phantom0`, carrying `address`/128 and the route
 * fd50::/16, so that one process can drive devices in several namespaces
 * (the descriptor stays valid after the move).
 */
import { randomBytes } from 'node:crypto'
import { TunDevice } from '../../../src/tun/tunDevice.js'
import { mustRun, type TestNamespace } from './testNamespace.js'

export const TUN_IN_NAMESPACE_NAME = 'phantom0'

export async function openTunInNamespace (ns: TestNamespace, address: string, mtu = 1500): Promise<TunDevice> {
  const temporary = `phr${randomBytes(4).toString('hex')}`
  const tun = TunDevice.open({ name: temporary })
  try {
    await mustRun('ip', ['link', 'set', 'dev', temporary, 'netns', ns.name])
    await mustRun('ip', ['-n', ns.name, 'link', 'set', 'dev', temporary, 'name', TUN_IN_NAMESPACE_NAME])
    await mustRun('ip', ['-n', ns.name, 'link', 'set', 'dev', TUN_IN_NAMESPACE_NAME, 'mtu', String(mtu)])
    await mustRun('ip', ['-n', ns.name, 'link', 'set', 'dev', TUN_IN_NAMESPACE_NAME, 'up'])
    await mustRun('ip', ['-n', ns.name, '-6', 'address', 'replace', `${address}/128`, 'dev', TUN_IN_NAMESPACE_NAME, 'nodad'])
    await mustRun('ip', ['-n', ns.name, '-6', 'route', 'replace', 'fd50::/16', 'dev', TUN_IN_NAMESPACE_NAME])
    return tun
  } catch (error) {
    tun.close()
    throw error
  }
}
