import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { once } from 'node:events'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createPhantomHost, type PhantomHost } from '../../src/link/phantomHost.js'
import { OPERATOR_NAMES_MAX, OperatorNames, type NameLookup } from '../../src/link/operatorNames.js'
import { createLogger } from '../../src/logging/logger.js'
import { createRecordValidators } from '../../src/netdb/recordValidators.js'
import { recordSelectors } from '../../src/netdb/recordSelectors.js'

const PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

interface LogLine { level: string, msg: string, [field: string]: unknown }

function recordingLog (): { log: ReturnType<typeof createLogger>, lines: LogLine[] } {
  const lines: LogLine[] = []
  return { log: createLogger('debug', 'link', (l) => { lines.push(JSON.parse(l) as LogLine) }), lines }
}

/** A lookup answering from a table, recording every question. */
function tableLookup (table: Record<string, string[]>): { lookup: NameLookup, asked: Array<[string, number]> } {
  const asked: Array<[string, number]> = []
  return {
    asked,
    lookup: async (name, family) => {
      asked.push([name, family])
      const found = table[name]
      if (found === undefined) throw new Error(`getaddrinfo ENOTFOUND ${name}`)
      return found
    }
  }
}

describe('link/operatorNames: only the names the operator wrote are looked up, into addresses the policy then checks', () => {
  const internet = { allowPrivateAddresses: false }

  it('a name the operator did not write is never looked up', async () => {
    const { lookup, asked } = tableLookup({ 'node.example.org': ['198.51.100.9'] })
    const names = new OperatorNames(internet, recordingLog().log, { lookup })
    assert.deepEqual(await names.resolve(multiaddr('/dns4/node.example.org/tcp/4821')), [])
    assert.deepEqual(asked, [])
  })

  it('an operator name is looked up in the family its protocol names, the rest of the address kept; case and a final dot do not matter; answers a multiaddr cannot carry are dropped', async () => {
    const { lookup, asked } = tableLookup({ 'seed.example.org': ['198.51.100.9', '2001:db8::9', 'not an address', 'fe80::1%eth0'] })
    const names = new OperatorNames({ allowPrivateAddresses: true }, recordingLog().log, { lookup })
    names.addFrom([multiaddr(`/dns4/Seed.Example.ORG./tcp/4821/p2p/${PEER}`), multiaddr('/ip4/198.51.100.1/tcp/1')])
    assert.equal(names.has('seed.example.org'), true)
    assert.deepEqual((await names.resolve(multiaddr(`/dns4/seed.example.org/tcp/4821/p2p/${PEER}`))).map(String), [`/ip4/198.51.100.9/tcp/4821/p2p/${PEER}`])
    assert.deepEqual((await names.resolve(multiaddr('/dns6/seed.example.org/tcp/4821'))).map(String), ['/ip6/2001:db8::9/tcp/4821'])
    assert.deepEqual((await names.resolve(multiaddr('/dns/SEED.example.org/tcp/1'))).map(String), ['/ip4/198.51.100.9/tcp/1', '/ip6/2001:db8::9/tcp/1'])
    assert.deepEqual(asked, [['seed.example.org', 4], ['seed.example.org', 6], ['seed.example.org', 0]])
  })

  it('addresses the policy refuses are dropped with a warning naming them; a failed or slow lookup gives nothing', async () => {
    const { log, lines } = recordingLog()
    const { lookup } = tableLookup({ 'lan.example.org': ['192.168.1.20', '198.51.100.9', '127.0.0.1'] })
    const names = new OperatorNames(internet, log, { lookup: async (n, f) => n === 'slow.example.org' ? await new Promise<string[]>(() => {}) : await lookup(n, f), timeoutMs: 50 })
    names.addFrom(['lan', 'gone', 'slow'].map((n) => multiaddr(`/dns4/${n}.example.org/tcp/4821`)))
    // 198.51.100.0/24 is a documentation range, which @libp2p/utils counts as private too
    assert.deepEqual(await names.resolve(multiaddr('/dns4/lan.example.org/tcp/4821')), [])
    const refused = lines.find((l) => l.level === 'warn' && /policy refuses/.test(l.msg))
    assert.deepEqual(refused?.refused, ['/ip4/192.168.1.20/tcp/4821', '/ip4/198.51.100.9/tcp/4821', '/ip4/127.0.0.1/tcp/4821'])
    assert.deepEqual(await names.resolve(multiaddr('/dns4/gone.example.org/tcp/4821')), [])
    assert.deepEqual(await names.resolve(multiaddr('/dns4/slow.example.org/tcp/4821')), [])
    assert.deepEqual(lines.filter((l) => l.msg === 'name lookup failed').map((l) => l.name), ['gone.example.org', 'slow.example.org'])
  })

  it('remembers at most OPERATOR_NAMES_MAX names, forgetting the oldest', () => {
    const names = new OperatorNames(internet, recordingLog().log)
    names.addFrom(Array.from({ length: OPERATOR_NAMES_MAX + 1 }, (_, i) => multiaddr(`/dns4/n${i}.example.org/tcp/1`)))
    assert.equal(names.has('n0.example.org'), false)
    assert.equal(names.has('n1.example.org'), true)
    assert.equal(names.has(`n${OPERATOR_NAMES_MAX}.example.org`), true)
  })
})

describe('link: what a node dials when an address carries a DNS name (threat model, weakness 16)', function () {
  this.timeout(60_000)
  const hosts: PhantomHost[] = []
  let trap: Server
  let trapPort: number
  let trapAccepted = 0
  let target: PhantomHost

  const validators = createRecordValidators()
  async function host (allowPrivateAddresses: boolean, names?: OperatorNames, listen: string[] = []): Promise<PhantomHost> {
    const h = await createPhantomHost({
      privateKey: await generateKeyPair('Ed25519'), listen, announce: [], bootstrap: [], mdns: false, allowPrivateAddresses,
      validators: { 'phantom-node': validators['phantom-node'], 'phantom-ap': validators['phantom-ap'] },
      selectors: { 'phantom-node': recordSelectors['phantom-node'], 'phantom-ap': recordSelectors['phantom-ap'] },
      ...(names !== undefined ? { operatorNames: names } : {})
    })
    hosts.push(h)
    return h
  }

  before(async () => {
    // a TCP listener that counts every connection that reaches it: the place a name must not lead to
    trap = createServer((socket) => { trapAccepted++; socket.destroy() })
    trap.listen(0, '127.0.0.1')
    await once(trap, 'listening')
    trapPort = (trap.address() as { port: number }).port
    target = await host(true, undefined, ['/ip4/127.0.0.1/tcp/0'])
  })

  after(async () => {
    await Promise.all(hosts.map(async (h) => { await h.stop() }))
    trap.close()
  })

  function targetPort (): string {
    const port = target.getMultiaddrs()[0]?.getComponents().find((c) => c.name === 'tcp')?.value
    assert.ok(port !== undefined)
    return port
  }

  it('dials an operator\'s name at the address the system resolver gives (localhost, looked up for real)', async () => {
    const names = new OperatorNames({ allowPrivateAddresses: true }, recordingLog().log)
    const addr = multiaddr(`/dns4/localhost/tcp/${targetPort()}/p2p/${target.peerId.toString()}`)
    names.addFrom([addr])
    const dialer = await host(true, names)
    const conn = await dialer.dial(addr, { signal: AbortSignal.timeout(20_000) })
    assert.equal(conn.remoteAddr.getComponents()[0]?.value, '127.0.0.1')
  })

  it('never looks up a name learnt from the network, even where private addresses are allowed: nothing reaches the address it stands for', async () => {
    const { lookup, asked } = tableLookup({})
    const dialer = await host(true, new OperatorNames({ allowPrivateAddresses: true }, recordingLog().log, { lookup }))
    // as identify, a DHT answer or a node record would put it into the peer store; before the fix libp2p's
    // TCP transport looked localhost up itself and connected to the trap
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    await dialer.peerStore.merge(stranger, { multiaddrs: [multiaddr(`/dns4/localhost/tcp/${trapPort}`)] })
    await assert.rejects(dialer.dial(stranger, { signal: AbortSignal.timeout(20_000) }))
    await assert.rejects(dialer.dial(multiaddr(`/dns/localhost/tcp/${trapPort}/p2p/${stranger.toString()}`), { signal: AbortSignal.timeout(20_000) }))
    assert.equal(trapAccepted, 0)
    assert.deepEqual(asked, [])
  })

  it('on the open Internet refuses an operator\'s name that resolves to a private address: the resolved address is what is checked', async () => {
    const { log, lines } = recordingLog()
    const { lookup } = tableLookup({ 'seed.example.org': ['127.0.0.1'] })
    const names = new OperatorNames(internet(), log, { lookup })
    const addr = multiaddr(`/dns4/seed.example.org/tcp/${trapPort}/p2p/${PEER}`)
    names.addFrom([addr])
    const dialer = await host(false, names)
    await assert.rejects(dialer.dial(addr, { signal: AbortSignal.timeout(20_000) }))
    assert.equal(trapAccepted, 0)
    assert.ok(lines.some((l) => l.level === 'warn' && /policy refuses/.test(l.msg)))
  })

  function internet (): { allowPrivateAddresses: boolean } {
    return { allowPrivateAddresses: false }
  }
})
