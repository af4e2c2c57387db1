import { multiaddr } from '@multiformats/multiaddr'
import { ControlMethodError } from '../control/controlProtocol.js'
import type { ControlMethod } from '../control/controlServer.js'
import { checkSeedEntries, SeedFileError } from '../link/seedFile.js'
import { recordKeyFromText } from '../netdb/recordKeyText.js'
import { decodeNodeRecord } from '../netdb/records/nodeRecord.js'
import { decodeApRecord } from '../netdb/records/apRecord.js'
import { presentApRecord, presentNodeRecord } from '../netdb/recordPresentation.js'
import type { PhantomNode } from './phantomNode.js'
import { apAddressOfTarget } from '../netdb/apTarget.js'

function stringParam (params: Record<string, unknown>, name: string): string {
  const v = params[name]
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096) throw new ControlMethodError('invalid-params', `"${name}" must be a non-empty string`)
  return v
}

/** The methods the control socket offers (docs/control-socket.md). */
export function controlMethods (node: PhantomNode): Map<string, ControlMethod> {
  const methods = new Map<string, ControlMethod>()
  methods.set('status', async () => await node.status())
  methods.set('peers', async () => node.peers())
  methods.set('paths', async () => node.paths())
  methods.set('sessions', async () => node.sessions())
  methods.set('tunnels', async () => node.tunnels())
  methods.set('resolve', async (params) => {
    const name = stringParam(params, 'name')
    const found = node.resolveName(name)
    if (found == null) throw new ControlMethodError('not-found', `${name}: not a .phantom name, petname or AP address (other names are never resolved)`)
    return { name, ...found }
  })
  methods.set('session.ping', async (params) => {
    const target = stringParam(params, 'target')
    const fresh = params.fresh ?? false
    if (typeof fresh !== 'boolean') throw new ControlMethodError('invalid-params', '"fresh" must be a boolean')
    let ap: Buffer
    try {
      ap = apAddressOfTarget(target)
    } catch (err) {
      throw new ControlMethodError('invalid-params', (err as Error).message)
    }
    try {
      return { target, ...(await node.sessionService.probe(ap, { fresh })) }
    } catch (err) {
      throw new ControlMethodError('failed', `${target}: ${(err as Error).message}`)
    }
  })
  methods.set('peers.export', async () => ({ addrs: node.exportPeers().map(String) }))
  methods.set('peers.import', async (params) => {
    const addrs = params.addrs
    if (!Array.isArray(addrs)) throw new ControlMethodError('invalid-params', '"addrs" must be an array of strings')
    let checked: string[]
    try {
      checked = checkSeedEntries(addrs, 'addrs')
    } catch (err) {
      throw new ControlMethodError('invalid-params', err instanceof SeedFileError ? err.message : String(err))
    }
    return await node.importPeers(checked.map(a => multiaddr(a)))
  })
  methods.set('netdb.get', async (params) => {
    let key: Uint8Array
    try {
      key = recordKeyFromText(stringParam(params, 'key'))
    } catch (err) {
      throw new ControlMethodError('invalid-params', (err as Error).message)
    }
    const started = performance.now()
    const found = await node.getRecord(key)
    const elapsedMs = Math.round((performance.now() - started) * 100) / 100
    const keyText = Buffer.from(key).toString('utf8')
    if (found == null) throw new ControlMethodError('not-found', `no valid record found for ${keyText}`)
    const record = keyText.startsWith('/phantom-node/') ? presentNodeRecord(decodeNodeRecord(found.value)) : presentApRecord(decodeApRecord(found.value))
    return { key: keyText, elapsedMs, validCopies: found.validCopies, rejectedCopies: found.rejectedCopies, record, bytes: Buffer.from(found.value).toString('base64') }
  })
  methods.set('netdb.put', async (params) => {
    let key: Uint8Array
    try {
      key = recordKeyFromText(stringParam(params, 'key'))
    } catch (err) {
      throw new ControlMethodError('invalid-params', (err as Error).message)
    }
    const value = Buffer.from(stringParam(params, 'bytes'), 'base64')
    return { storedAt: await node.putRecord(key, value) }
  })
  methods.set('netdb.sample', async (params) => {
    const count = params.count ?? 5
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 100) throw new ControlMethodError('invalid-params', '"count" must be an integer 1..100')
    const diversity = params.diversity ?? true
    if (typeof diversity !== 'boolean') throw new ControlMethodError('invalid-params', '"diversity" must be a boolean')
    const nodes = await node.sampleNodes(count, diversity)
    return nodes.map(n => ({ peerId: n.peerId, addresses: n.addresses, proposedBy: n.proposedBy }))
  })
  methods.set('peers.dial', async (params) => {
    const addr = stringParam(params, 'addr')
    let ma
    try { ma = multiaddr(addr) } catch { throw new ControlMethodError('invalid-params', `not a multiaddr: ${addr}`) }
    await node.host.dial(ma, { signal: AbortSignal.timeout(10_000) })
    return { connected: true }
  })
  return methods
}
