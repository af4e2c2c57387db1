/**
 * Test helper, run inside a network namespace: exercises the addon's
 * lifecycle corners and prints one JSON line per finding, then {"event":"done"}.
 *  - close() from inside the packets callback;
 *  - an exception thrown by the packets callback reaches 'uncaughtException';
 *  - a worker thread that exits with its device still open (env cleanup hook);
 *  - many open/close cycles with garbage collection (run with --expose-gc).
 * The process must then exit by itself: no handle may keep the loop alive.
 */
import { execFileSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { configureTunLink } from '../../../src/tun/tunLinkConfig.js'
import { TunDevice } from '../../../src/tun/tunDevice.js'

function say (event: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(event) + '\n')
}

async function sendDatagram (target: string): Promise<void> {
  const socket = createSocket('udp6')
  await new Promise<void>((resolve, reject) => { socket.send(Buffer.from('x'), 9999, target, (e) => { if (e !== null) reject(e); else resolve() }) })
  socket.close()
}

function linkExists (name: string): boolean {
  try { execFileSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' }); return true } catch { return false }
}

async function closeInsideCallback (): Promise<void> {
  const tun = TunDevice.open({ name: 'phlife0' })
  await configureTunLink(tun.name, { mtu: 1500, addresses: ['fd50::1'], routes: ['fd50:1::/32'] })
  const got = new Promise<number>((resolve) => {
    tun.on('packets', (packets) => { tun.close(); tun.close(); resolve(packets.length) })
  })
  await sendDatagram('fd50:1::2')
  const count = await got
  say({ event: 'close-in-callback', closed: tun.isClosed, count, linkGone: !linkExists('phlife0') })
}

async function throwInsideCallback (): Promise<void> {
  const tun = TunDevice.open({ name: 'phlife1' })
  await configureTunLink(tun.name, { mtu: 1500, addresses: ['fd50::11'], routes: ['fd50:2::/32'] })
  tun.on('packets', () => { throw new Error('thrown by the packets listener') })
  const caught = once(process, 'uncaughtException')
  await sendDatagram('fd50:2::2')
  const [error] = await caught as [Error]
  tun.close()
  say({ event: 'throw-in-callback', message: error.message })
}

async function workerExitsWithDeviceOpen (): Promise<void> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    const addon = require(workerData.addon)
    const handle = new addon.TunHandle('phlife2', 65536, () => {}, () => {}, () => {})
    parentPort.postMessage(handle.name)
    setTimeout(() => process.exit(0), 10)`
  const { findTunAddon } = await import('../../../src/tun/tunAddon.js')
  const worker = new Worker(source, { eval: true, workerData: { addon: findTunAddon() } })
  const [name] = await once(worker, 'message') as [string]
  const existed = linkExists(name)
  const [code] = await once(worker, 'exit') as [number]
  say({ event: 'worker-exit', name, existed, code, linkGone: !linkExists(name) })
}

function openCloseCycles (cycles: number): void {
  const gc = (globalThis as { gc?: () => void }).gc
  for (let i = 0; i < cycles; i++) {
    const tun = TunDevice.open({ name: 'phcycle%d' })
    tun.close()
    if (i % 50 === 0) gc?.()
  }
  gc?.()
  say({ event: 'cycles', cycles, gc: gc !== undefined, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) })
}

await closeInsideCallback()
await throwInsideCallback()
await workerExitsWithDeviceOpen()
openCloseCycles(100)
say({ event: 'done' })
