import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ConnectionTable } from '../../../src/tun/firewall/connectionTable.js'
import { resolveFirewallOptions } from '../../../src/tun/firewall/firewallOptions.js'
import { type TrackedFlow } from '../../../src/tun/firewall/trackedFlow.js'

const flow = (expiresAt: number): TrackedFlow => ({ state: 'udp-unreplied', expiresAt, finOut: false, finIn: false })

describe('tun/firewall: connection table and options', () => {
  it('never holds more than maxFlows and forgets the least recently touched first', () => {
    const table = new ConnectionTable(3)
    for (const k of ['a', 'b', 'c']) table.add(k, flow(100))
    table.touch('a', table.get('a', 0) ?? assert.fail(), 100)
    table.add('d', flow(100))
    assert.equal(table.size, 3)
    assert.equal(table.get('b', 0), undefined, 'b was the stalest')
    assert.notEqual(table.get('a', 0), undefined)
    assert.equal(table.counters.evicted, 1)
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('add', 'touch', 'get', 'sweep'), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 100 }))), (ops) => {
      const t = new ConnectionTable(8)
      for (const [op, key, time] of ops) {
        const k = String(key)
        if (op === 'add') t.add(k, flow(time + 10))
        else if (op === 'touch') { const f = t.get(k, time); if (f !== undefined) t.touch(k, f, time + 10) }
        else if (op === 'get') t.get(k, time)
        else t.sweep(time)
        assert.ok(t.size <= 8)
      }
    }))
  })

  it('expires flows when met and on sweep', () => {
    const table = new ConnectionTable(10)
    table.add('x', flow(50))
    table.add('y', flow(80))
    assert.notEqual(table.get('x', 49), undefined)
    assert.equal(table.get('x', 50), undefined)
    assert.equal(table.sweep(80), 1)
    assert.equal(table.size, 0)
    assert.equal(table.counters.expired, 2)
  })

  it('checks firewall options', () => {
    assert.throws(() => resolveFirewallOptions({ expose: [0] }), RangeError)
    assert.throws(() => resolveFirewallOptions({ expose: [65536] }), RangeError)
    assert.throws(() => resolveFirewallOptions({ expose: [1.5] }), RangeError)
    assert.throws(() => resolveFirewallOptions({ maxFlows: 0 }), RangeError)
    assert.throws(() => resolveFirewallOptions({ timeouts: { echoMs: -1 } }), RangeError)
    assert.throws(() => resolveFirewallOptions({ refuse: 'rst' as 'drop' }), RangeError)
    const defaults = resolveFirewallOptions()
    assert.equal(defaults.answerPing, true)
    assert.equal(defaults.refuse, 'drop')
    assert.equal(defaults.expose.size, 0)
  })
})
