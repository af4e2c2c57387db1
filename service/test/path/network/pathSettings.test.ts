import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { verifyApRecordSignature, decodeApRecord } from '../../../src/netdb/records/apRecord.js'
import { AP_RECORD_MAX } from '../../../src/path/setup/constants.js'
import { apAddressOf, DEFAULT_PATH_SETTINGS, generatePathOwnerIdentity, resolvePathSettings, signedEntryRecord } from '../../../src/path/service/index.js'
import { makeRealNode } from '../pathTestKit.js'

describe('path settings and the entry record', () => {
  it('defaults: x 3, up to 2 extra Y, 2 exit and 2 entry paths, rotation 1 h, 30 s per round', () => {
    const s = resolvePathSettings()
    assert.deepEqual([s.x, s.extraY, s.exitCount, s.entryCount, s.rotateAfterMs, s.roundTimeoutMs, s.diversity], [3, 2, 2, 2, 3_600_000, 30_000, true])
    assert.deepEqual(resolvePathSettings({ x: 4 }).x, 4)
    assert.equal(DEFAULT_PATH_SETTINGS.trusted.length, 0)
  })

  it('rejects settings the path layer cannot use', () => {
    for (const bad of [{ x: 1 }, { x: 2.5 }, { extraY: -1 }, { x: 10, extraY: 8 }, { roundTimeoutMs: 0 }, { maxConcurrentSetups: 0 }, { apRecordLifetimeMs: 2 * 3_600_000 }, { keyCount: 0x10000 }]) {
      assert.throws(() => resolvePathSettings(bad), RangeError, JSON.stringify(bad))
    }
  })

  it('the entry record is signed by the routing key, lists the new terminating node first, and always fits a setup package', async () => {
    const identity = generatePathOwnerIdentity()
    const nodes = await Promise.all(Array.from({ length: 8 }, makeRealNode))
    // four ~57-byte addresses per entry node: eight such nodes cannot all fit AP_RECORD_MAX
    const entryNodes = nodes.map((n, j) => ({ peerId: n.peer.peerId, multiaddrs: Array.from({ length: 4 }, (_, i) => multiaddr(`/dns4/${'a'.repeat(40)}${j}${i}.example/tcp/4001`).bytes) }))
    const now = Date.now()
    const signed = signedEntryRecord(identity, entryNodes, 5n, now, 3_600_000)
    assert.ok(signed.apRecord.byteLength <= AP_RECORD_MAX)
    const record = decodeApRecord(signed.apRecord)
    assert.ok(verifyApRecordSignature(record))
    assert.ok(Buffer.from(record.ap).equals(apAddressOf(identity)))
    assert.ok(signed.apAddress.equals(apAddressOf(identity)))
    assert.ok(Buffer.from(record.entryNodes[0]!.peerId).equals(Buffer.from(nodes[0]!.peer.peerId)))
    assert.ok(record.entryNodes.length >= 1 && record.entryNodes.length < entryNodes.length, `${record.entryNodes.length} entry nodes`)
    // few entry nodes: all are listed, in order
    const small = decodeApRecord(signedEntryRecord(identity, entryNodes.slice(0, 2), 6n, now, 60_000).apRecord)
    assert.deepEqual(small.entryNodes.map((e) => Buffer.from(e.peerId).toString('hex')), entryNodes.slice(0, 2).map((e) => Buffer.from(e.peerId).toString('hex')))
    assert.equal(record.sequence, 5n)
    assert.equal(record.expiresAt, now + 3_600_000)
  })
})
