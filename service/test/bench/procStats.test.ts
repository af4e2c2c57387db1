import assert from 'node:assert/strict'
import fc from 'fast-check'
import { cpuSeconds, parseProcStatCpu, parseVmRssKiB, PeakRssSampler, rssMiB } from '../../bench/compare/procStats.js'

function statLine (comm: string, utime: number, stime: number): string {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
  return `1234 (${comm}) S 1 1234 1234 0 -1 4194560 100 0 0 0 ${utime} ${stime} 7 8 20 0 4 0 123 456789 1000 18446744073709551615\n`
}

describe('/proc parsing for the comparison bench', () => {
  it('reads utime and stime after the command name, whatever the name holds', () => {
    assert.deepEqual(parseProcStatCpu(statLine('tor', 42, 17)), { user: 42, system: 17 })
    assert.deepEqual(parseProcStatCpu(statLine('a) S 1 2 3 (b', 5, 6)), { user: 5, system: 6 })
    fc.assert(fc.property(fc.string({ maxLength: 15 }), fc.nat(), fc.nat(), (comm, u, s) => {
      assert.deepEqual(parseProcStatCpu(statLine(comm, u, s)), { user: u, system: s })
    }))
  })

  it('rejects stat text without the fields and never returns garbage for arbitrary input', () => {
    assert.throws(() => parseProcStatCpu('1234 tor S 1'), /comm/)
    assert.throws(() => parseProcStatCpu('1234 (tor) S 1 2 3'), /utime/)
    assert.throws(() => parseProcStatCpu('1234 (tor) S 1 1234 1234 0 -1 4194560 100 0 0 0 x 3'), /utime/)
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      try {
        const t = parseProcStatCpu(text)
        assert.ok(Number.isSafeInteger(t.user) && Number.isSafeInteger(t.system))
      } catch (error) {
        assert.ok(error instanceof Error)
      }
    }))
  })

  it('reads VmRSS from /proc/<pid>/status text', () => {
    assert.equal(parseVmRssKiB('Name:\ttor\nVmPeak:\t  100 kB\nVmRSS:\t   51200 kB\nRssAnon:\t 1 kB\n'), 51200)
    assert.equal(parseVmRssKiB('Name:\tzombie\nState:\tZ (zombie)\n'), null)
    assert.equal(parseVmRssKiB('VmRSS: lots kB\n'), null)
  })

  it('measures this very process and samples its peak', () => {
    const cpu = cpuSeconds(process.pid)
    assert.ok(cpu !== null && cpu > 0)
    const rss = rssMiB(process.pid)
    assert.ok(rss !== null && rss > 1)
    const sampler = new PeakRssSampler([process.pid, 0x7fffffff], 10)
    sampler.start()
    const peaks = sampler.stop()
    assert.ok((peaks.get(process.pid) ?? 0) > 1)
    assert.equal(peaks.has(0x7fffffff), false, 'a missing process has no sample')
    assert.equal(cpuSeconds(0x7fffffff), null)
  })
})
