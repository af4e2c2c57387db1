import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findTunAddon, TUN_ADDON_RELATIVE_PATH, type NativeTunHandle, type TunAddon } from '../../src/tun/tunAddon.js'
import { TunDevice } from '../../src/tun/tunDevice.js'

const EAGAIN = 11

/** A stand-in for the C addon: records calls, lets a test decide what write() returns. */
class FakeHandle implements NativeTunHandle {
  static last: FakeHandle | undefined
  readonly name: string
  written: Buffer[] = []
  blocked = false
  rejectNext = false
  watchingWritable = false
  reading = true
  closeCalls = 0
  constructor (name: string, readonly readBufferSize: number, readonly onPackets: (p: Buffer[]) => void, readonly onError: (e: Error) => void, readonly onWritable: () => void) {
    this.name = name.replace('%d', '7')
    FakeHandle.last = this
  }

  write (packet: Uint8Array): number {
    if (this.rejectNext) { this.rejectNext = false; throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' }) }
    if (this.blocked) return -EAGAIN
    this.written.push(Buffer.from(packet))
    return packet.byteLength
  }

  setReading (on: boolean): void { this.reading = on }
  setWatchWritable (on: boolean): void { this.watchingWritable = on }
  close (): void { this.closeCalls++ }
  isClosed (): boolean { return this.closeCalls > 0 }
}

const fakeAddon: TunAddon = { TunHandle: FakeHandle, EAGAIN, MAX_BATCH: 256, MIN_READ_BUFFER: 1280, MAX_READ_BUFFER: 65575 }

function openFake (maxWriteQueue = 4): { tun: TunDevice, handle: FakeHandle } {
  const tun = TunDevice.open({ name: 'phantom%d', addon: fakeAddon, maxWriteQueue })
  return { tun, handle: FakeHandle.last as FakeHandle }
}

describe('tun/TunDevice (wrapper logic, fake addon)', () => {
  it('reports the kernel-given name and delivers each wake-up as one array, counting batches', () => {
    const { tun, handle } = openFake()
    assert.equal(tun.name, 'phantom7')
    assert.equal(handle.readBufferSize, 65536)
    const seen: number[] = []
    tun.on('packets', (packets) => { seen.push(packets.length) })
    handle.onPackets([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')])
    handle.onPackets([Buffer.from('d')])
    assert.deepEqual(seen, [3, 1])
    assert.equal(tun.stats.packetsRead, 4)
    assert.equal(tun.stats.readBatches, 2)
    assert.equal(tun.stats.largestBatch, 3)
  })

  it('on EAGAIN queues in order, watches for writability, flushes on wake-up and emits drain', () => {
    const { tun, handle } = openFake()
    let drains = 0
    tun.on('drain', () => { drains++ })
    assert.equal(tun.write(Buffer.from('1')), true)
    handle.blocked = true
    const reused = Buffer.from('2')
    assert.equal(tun.write(reused), false)
    reused[0] = 0x78 // the queue kept its own copy
    assert.equal(handle.watchingWritable, true)
    handle.blocked = false
    assert.equal(tun.write(Buffer.from('3')), false, 'queued behind 2 to keep the order')
    handle.onWritable()
    assert.deepEqual(handle.written.map(String), ['1', '2', '3'])
    assert.equal(tun.queuedWrites, 0)
    assert.equal(drains, 1)
    assert.equal(tun.stats.packetsWritten, 3)
    assert.equal(tun.stats.writesQueued, 2)
  })

  it('re-arms when the fd blocks again mid-flush, drops beyond the queue bound, counts rejected queued packets', () => {
    const { tun, handle } = openFake(2)
    handle.blocked = true
    assert.equal(tun.write(Buffer.from('a')), false)
    assert.equal(tun.write(Buffer.from('b')), false)
    assert.equal(tun.write(Buffer.from('c')), false)
    assert.equal(tun.stats.writesDropped, 1)
    handle.watchingWritable = false
    handle.onWritable() // still blocked
    assert.equal(handle.watchingWritable, true)
    assert.equal(tun.queuedWrites, 2)
    handle.blocked = false
    handle.rejectNext = true
    handle.onWritable()
    assert.deepEqual(handle.written.map(String), ['b'])
    assert.equal(tun.stats.writeErrors, 1)
  })

  it('a write the kernel rejects right away throws to the caller', () => {
    const { tun, handle } = openFake()
    handle.rejectNext = true
    assert.throws(() => tun.write(Buffer.from('x')), /EINVAL/)
  })

  it('close is idempotent, drops the queue, and later writes throw; pause/resume reach the addon', () => {
    const { tun, handle } = openFake()
    tun.pause()
    assert.equal(handle.reading, false)
    tun.resume()
    assert.equal(handle.reading, true)
    let closes = 0
    tun.on('close', () => { closes++ })
    handle.blocked = true
    tun.write(Buffer.from('q'))
    tun.close()
    tun.close()
    assert.equal(handle.closeCalls, 1)
    assert.equal(closes, 1)
    assert.equal(tun.queuedWrites, 0)
    assert.equal(tun.isClosed, true)
    assert.throws(() => tun.write(Buffer.from('z')), /closed/)
  })

  it('validates the requested name before touching the addon', () => {
    for (const name of ['', 'a b', 'x/y', '-lead', 'sixteen-chars-xx', 'two%d%d', '%s']) {
      assert.throws(() => TunDevice.open({ name, addon: fakeAddon }), RangeError, name)
    }
    for (const name of ['phantom0', 'phantom%d', 'ph_1.x-y', 'a']) {
      assert.doesNotThrow(() => TunDevice.open({ name, addon: fakeAddon }), name)
    }
  })
})

describe('tun/tunAddon location', () => {
  it('walks up from a nested folder to native/build/Release/phantom_tun.node, and says how to build it otherwise', () => {
    const root = mkdtempSync(join(tmpdir(), 'phantom-addon-'))
    try {
      const nested = join(root, 'dist', 'src', 'tun')
      mkdirSync(nested, { recursive: true })
      assert.throws(() => findTunAddon(nested), /not found.*build:native/)
      mkdirSync(join(root, 'native', 'build', 'Release'), { recursive: true })
      writeFileSync(join(root, TUN_ADDON_RELATIVE_PATH), '')
      assert.equal(findTunAddon(nested), join(root, TUN_ADDON_RELATIVE_PATH))
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('finds the built addon from this checkout', () => {
    assert.match(findTunAddon(), /native\/build\/Release\/phantom_tun\.node$/)
  })
})
