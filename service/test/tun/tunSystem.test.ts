import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { findTunAddon, type TunAddon } from '../../src/tun/tunAddon.js'
import { TunDevice } from '../../src/tun/tunDevice.js'
import { type JsonEvent } from './helpers/jsonLineChild.js'
import { mustRun, NAMESPACE_PREFIX, removeStaleNamespaces, requireRoot, run, TestNamespace } from './helpers/testNamespace.js'

/**
 * System tests of the TUN addon: need root. Every device is created inside a
 * namespace of our own (a TUN device lives in the namespace of the process
 * that creates it), which after() removes whatever happened.
 */
describe('tun: the N-API addon in a network namespace (root)', function () {
  this.timeout(60_000)
  let ns: TestNamespace | undefined

  before(async () => {
    requireRoot()
    await removeStaleNamespaces()
    ns = new TestNamespace()
    await ns.create()
  })

  after(async () => {
    await ns?.remove()
  })

  const namespace = (): TestNamespace => {
    if (ns === undefined) throw new Error('namespace not created')
    return ns
  }

  const number = (e: JsonEvent, key: string): number => {
    const value = e[key]
    assert.equal(typeof value, 'number', `${key} in ${JSON.stringify(e)}`)
    return value as number
  }

  it('answers ping -6 through the TUN device, then reads a burst completely and in batches', async () => {
    const responder = namespace().spawnHelper('tunEchoResponder', ['--name', 'phtest%d', '--address', 'fd50::1', '--route', 'fd50::/16'])
    try {
      const ready = await responder.waitFor((e) => e.event === 'ready', 'the responder to be ready')
      assert.match(String(ready.name), /^phtest\d+$/)

      const link = await namespace().exec(['ip', '-6', 'address', 'show', 'dev', String(ready.name)])
      assert.match(link.stdout, /inet6 fd50::1\/128/)
      const route = await namespace().exec(['ip', '-6', 'route', 'show', 'fd50::/16'])
      assert.match(route.stdout, new RegExp(`fd50::/16 dev ${String(ready.name)}`))

      const ping = await namespace().exec(['ping', '-6', '-n', '-c', '3', '-W', '5', 'fd50::2'], 40_000)
      assert.equal(ping.code, 0, `ping failed: ${ping.stdout}${ping.stderr}`)
      assert.match(ping.stdout, /3 packets transmitted, 3 received/)
      const afterPing = await responder.request('stats', 'stats')
      assert.ok(number(afterPing, 'echoReplies') >= 3, JSON.stringify(afterPing))
      assert.equal(number(afterPing, 'malformed'), 0)

      // Burst while reading: every datagram must be read (200 < the TUN queue of 500).
      const burst = namespace().spawnHelper('udpBurst', ['--count', '200', '--target', 'fd50::2'])
      const sent = await burst.waitFor((e) => e.event === 'sent', 'the first burst to be sent')
      assert.equal(number(sent, 'count'), 200)
      await waitForStats(responder, (s) => number(s, 'udpDistinct') >= 200, 'all 200 datagrams read')

      // Burst while paused: the queued datagrams must come out in arrays of more than one.
      await responder.request('pause', 'paused')
      const before = await responder.request('stats', 'stats')
      const burst2 = namespace().spawnHelper('udpBurst', ['--count', '300', '--target', 'fd50::2', '--port', '9999'])
      const sent2 = await burst2.waitFor((e) => e.event === 'sent', 'the second burst to be sent')
      assert.equal(number(sent2, 'count'), 300)
      await responder.request('resume', 'resumed')
      const final = await waitForStats(responder, (s) => number(s, 'udpDatagrams') >= number(before, 'udpDatagrams') + 300, 'the 300 queued datagrams read')
      assert.equal(number(final, 'udpDatagrams'), 500)
      assert.equal(number(final, 'udpDistinct'), 300) // sequence numbers 0..299 of both bursts
      assert.ok(number(final, 'largestBatch') > 1, `never got more than one packet per callback: ${JSON.stringify(final)}`)
      assert.ok(number(final, 'largestBatch') <= 256, 'a batch is bounded by MAX_BATCH')
      assert.equal(number(final, 'packetsRead'), number(final, 'udpDatagrams') + number(final, 'echoReplies') + number(final, 'otherPackets') + number(final, 'malformed'))
      await responder.request('exit', 'closed')
      await responder.exit()

      // Closing the fd removed the (non-persistent) interface.
      const gone = await namespace().exec(['ip', 'link', 'show', 'dev', String(ready.name)])
      assert.notEqual(gone.code, 0)
    } finally {
      responder.kill()
    }
  })

  it('says CAP_NET_ADMIN is needed when opened without permission (as nobody, and as root without the capability)', async () => {
    const asNobody = namespace().spawnHelper('tunEchoResponder', ['--name', 'phperm0', '--probe'],
      ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all'])
    const denied = await asNobody.waitFor((e) => e.event === 'open-error' || e.event === 'opened', 'the probe as nobody')
    assert.equal(denied.event, 'open-error', JSON.stringify(denied))
    assert.ok(denied.code === 'EPERM' || denied.code === 'EACCES', JSON.stringify(denied))
    assert.match(String(denied.message), /CAP_NET_ADMIN is needed/)

    const withoutCap = namespace().spawnHelper('tunEchoResponder', ['--name', 'phperm1', '--probe'],
      ['setpriv', '--bounding-set=-net_admin', '--inh-caps=-net_admin'])
    const eperm = await withoutCap.waitFor((e) => e.event === 'open-error' || e.event === 'opened', 'the probe without CAP_NET_ADMIN')
    assert.equal(eperm.event, 'open-error', JSON.stringify(eperm))
    assert.equal(eperm.code, 'EPERM')
    assert.match(String(eperm.message), /CAP_NET_ADMIN is needed/)

    const asRoot = namespace().spawnHelper('tunEchoResponder', ['--name', 'phperm2', '--probe'])
    const opened = await asRoot.waitFor((e) => e.event === 'open-error' || e.event === 'opened', 'the probe as root')
    assert.deepEqual(opened, { event: 'opened', name: 'phperm2' })
  })

  it('says the tun module or device is missing when /dev/net/tun does not exist', async () => {
    // A private mount namespace in which /dev/net is an empty tmpfs.
    const hidden = namespace().spawnHelper('tunEchoResponder', ['--name', 'phnodev0', '--probe'],
      ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /dev/net && exec "$0" "$@"'])
    const missing = await hidden.waitFor((e) => e.event === 'open-error' || e.event === 'opened', 'the probe without /dev/net/tun')
    assert.equal(missing.event, 'open-error', JSON.stringify(missing))
    assert.equal(missing.code, 'ENOENT')
    assert.match(String(missing.message), /tun kernel module is not loaded or the device node is missing/)
  })

  it('survives its lifecycle corners: close inside the callback, a throwing listener, a worker exiting with the device open, open/close cycles', async () => {
    const child = namespace().spawnHelper('tunLifecycle', [], [], ['--expose-gc'])
    const done = await child.waitFor((e) => e.event === 'done', 'the lifecycle helper to finish', 40_000)
    assert.equal(done.event, 'done')
    const find = (event: string): JsonEvent => child.events.find((e) => e.event === event) ?? assert.fail(`no ${event} in ${JSON.stringify(child.events)}`)
    const closeInCallback = find('close-in-callback')
    assert.equal(closeInCallback.closed, true)
    assert.equal(closeInCallback.linkGone, true)
    assert.ok((closeInCallback.count as number) >= 1)
    assert.deepEqual(find('throw-in-callback'), { event: 'throw-in-callback', message: 'thrown by the packets listener' })
    assert.deepEqual(find('worker-exit'), { event: 'worker-exit', name: 'phlife2', existed: true, code: 0, linkGone: true })
    assert.equal(find('cycles').cycles, 100)
    assert.equal(find('cycles').gc, true)
    // Nothing may keep the event loop alive once every device is closed.
    await child.exit(15_000)
    assert.equal(child.process.exitCode, 0)
  })

  it('removes namespaces left behind by a crashed run (whose pid is gone)', async () => {
    const dead = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
    const stale = `${NAMESPACE_PREFIX}${dead.stdout}-deadbeef`
    await mustRun('ip', ['netns', 'add', stale])
    try {
      assert.ok((await removeStaleNamespaces()).includes(stale))
      assert.doesNotMatch((await mustRun('ip', ['netns', 'list'])).stdout, new RegExp(stale))
      assert.match((await mustRun('ip', ['netns', 'list'])).stdout, new RegExp(namespace().name), 'our own live namespace is kept')
    } finally {
      await run('ip', ['netns', 'delete', stale])
    }
  })

  it('rejects bad interface names with a clear error (wrapper and addon), creating nothing', () => {
    assert.throws(() => TunDevice.open({ name: 'bad/name' }), /invalid TUN interface name/)
    assert.throws(() => TunDevice.open({ name: 'much-too-long-name0' }), /invalid TUN interface name/)
    const addon = createRequire(import.meta.url)(findTunAddon()) as TunAddon
    const noop = (): void => {}
    // The kernel's own check, reached by bypassing the wrapper's validation.
    assert.throws(() => new addon.TunHandle('bad/name', 65536, noop, noop, noop),
      (e: NodeJS.ErrnoException) => e.code === 'EINVAL' && /not a valid interface name/.test(e.message))
    assert.throws(() => new addon.TunHandle('x'.repeat(16), 65536, noop, noop, noop),
      (e: NodeJS.ErrnoException) => e.code === 'EINVAL' && /too long/.test(e.message))
    assert.throws(() => new addon.TunHandle('ok0', 100, noop, noop, noop), RangeError)
  })
})

async function waitForStats (child: ReturnType<TestNamespace['spawnHelper']>, done: (s: JsonEvent) => boolean, what: string, timeoutMs = 15_000): Promise<JsonEvent> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const stats = await child.request('stats', 'stats')
    if (done(stats)) return stats
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(stats)}`)
    // Poll by asking again after the responder had a turn of its event loop.
    await new Promise<void>((resolve) => { setImmediate(resolve) })
  }
}
