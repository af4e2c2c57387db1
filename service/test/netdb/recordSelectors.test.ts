import assert from 'node:assert/strict'
import fc from 'fast-check'
import { apRecordKey, nodeRecordKey } from '../../src/netdb/recordKeys.js'
import { recordSelectors } from '../../src/netdb/recordSelectors.js'
import { createRecordValidators } from '../../src/netdb/recordValidators.js'
import { encodeApRecord, signApRecord } from '../../src/netdb/records/apRecord.js'
import type { ApRecordFields } from '../../src/netdb/records/apRecord.js'
import { encodeNodeRecord, signNodeRecord } from '../../src/netdb/records/nodeRecord.js'
import { deriveApAddress } from '../../src/netdb/apAddress.js'
import { makeIdentities, NOW, routingKeyPair } from './recordFixtures.js'
import type { TestIdentity } from './recordFixtures.js'

const selectNode = recordSelectors['phantom-node']
const selectAp = recordSelectors['phantom-ap']

describe('network-database record selectors', () => {
  let id: TestIdentity
  before(async () => { id = (await makeIdentities(1))[0] as TestIdentity })

  const nodeValue = (issuedAt: number, relayCapacity = 0): Buffer => encodeNodeRecord(signNodeRecord({
    peerId: id.peerIdBytes, multiaddrs: [], pbk: Buffer.alloc(32, 1), pbkNotAfter: NOW + 86_400_000, protocolVersion: 1, relayCapacity, issuedAt, expiresAt: issuedAt + 3_600_000
  }, id.secretKey))
  const routing = routingKeyPair(0)
  const ap = deriveApAddress(routing.publicKey)
  const apValue = (sequence: bigint, issuedAt: number, e2eByte = 1): Buffer => {
    const fields: ApRecordFields = { ap, routingPub: routing.publicKey, e2ePub: Buffer.alloc(32, e2eByte), entryNodes: [], sequence, issuedAt, expiresAt: issuedAt + 1_800_000 }
    return encodeApRecord(signApRecord(fields, routing.secretKey))
  }

  it('node records: the newest issuedAt wins, whatever the order', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: NOW - 3_000_000, max: NOW }), { minLength: 1, maxLength: 6 }), times => {
      const values = times.map(t => nodeValue(t))
      const best = selectNode(nodeRecordKey(id.peerIdString), values)
      assert.equal(times[best], Math.max(...times))
    }), { numRuns: 40 })
  })

  it('AP records: the highest sequence wins, then the newest issuedAt, then the lowest bytes', () => {
    const entries = fc.uniqueArray(fc.record({ sequence: fc.bigInt({ min: 0n, max: 3n }), issuedAt: fc.integer({ min: NOW - 3, max: NOW }), e2e: fc.integer({ min: 0, max: 2 }) }),
      { minLength: 1, maxLength: 8, selector: e => `${e.sequence}/${e.issuedAt}/${e.e2e}` })
    fc.assert(fc.property(entries, list => {
      const values = list.map(e => apValue(e.sequence, e.issuedAt, e.e2e))
      const best = selectAp(apRecordKey(ap), values)
      const chosen = list[best] as typeof list[number]
      const top = list.reduce((m, e) => e.sequence > m ? e.sequence : m, -1n)
      assert.equal(chosen.sequence, top)
      const newest = Math.max(...list.filter(e => e.sequence === top).map(e => e.issuedAt))
      assert.equal(chosen.issuedAt, newest)
      const tied = values.filter((_, i) => list[i]?.sequence === top && list[i]?.issuedAt === newest)
      assert.deepEqual(values[best], tied.sort(Buffer.compare)[0])
    }), { numRuns: 60 })
  })

  it('the choice does not depend on the order the records arrive in', () => {
    const values = [apValue(2n, NOW - 5), apValue(2n, NOW - 5, 2), apValue(1n, NOW), apValue(2n, NOW - 9)]
    fc.assert(fc.property(fc.shuffledSubarray(values, { minLength: 4, maxLength: 4 }), shuffled => {
      const winner = shuffled[selectAp(apRecordKey(ap), shuffled)] as Buffer
      assert.deepEqual(winner, [values[0], values[1]].sort(Buffer.compare)[0])
    }), { numRuns: 30 })
  })

  it('undecodable records rank last and never throw', () => {
    const garbage = [Buffer.alloc(0), Buffer.from([1, 2, 3]), Buffer.alloc(5000, 1)]
    const good = nodeValue(NOW - 10)
    assert.equal(selectNode(nodeRecordKey(id.peerIdString), [...garbage, good]), garbage.length)
    assert.equal(selectAp(apRecordKey(ap), [garbage[0] as Buffer, apValue(0n, NOW - 10), garbage[1] as Buffer]), 1)
    assert.equal(selectAp(apRecordKey(ap), garbage), 0)
    assert.equal(selectNode(nodeRecordKey(id.peerIdString), []), 0)
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), list => {
      const i = selectAp(apRecordKey(ap), list); const j = selectNode(nodeRecordKey(id.peerIdString), list)
      assert.ok(i >= 0 && (i < list.length || list.length === 0))
      assert.ok(j >= 0 && (j < list.length || list.length === 0))
    }), { numRuns: 300 })
  })

  it('a forged record with a higher sequence never passes the validator, so it never reaches the selector', () => {
    const honest = apValue(1n, NOW - 10)
    const forged = Buffer.from(apValue(1000n, NOW - 5))
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1
    const validate = createRecordValidators(() => NOW)['phantom-ap']
    const accepted = [honest, forged].filter(v => { try { validate(apRecordKey(ap), v); return true } catch { return false } })
    assert.deepEqual(accepted, [honest])
    assert.equal(accepted[selectAp(apRecordKey(ap), accepted)], honest)
  })
})
