/**
 * /proc readers for the network's processes: CPU time from /proc/<pid>/stat
 * (utime + stime, all threads) and resident memory from /proc/<pid>/status.
 * The parsers are pure and strict; the readers return null for a gone process.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

export interface CpuTicks { user: number, system: number }

/**
 * utime and stime (fields 14 and 15, clock ticks) from the text of
 * /proc/<pid>/stat. The command name (field 2) is in parentheses and may hold
 * spaces and parentheses itself, so fields are counted after the last ')'.
 */
export function parseProcStatCpu (text: string): CpuTicks {
  const close = text.lastIndexOf(')')
  if (close < 0 || text.indexOf('(') < 0 || text.indexOf('(') > close) throw new Error('stat: no (comm) field')
  const fields = text.slice(close + 1).trim().split(/\s+/)
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const user = fields[11]
  const system = fields[12]
  if (user === undefined || system === undefined || !/^\d+$/.test(user) || !/^\d+$/.test(system)) throw new Error('stat: utime/stime missing or not a number')
  return { user: Number(user), system: Number(system) }
}

/** VmRSS in KiB from the text of /proc/<pid>/status (null when absent, as for a zombie). */
export function parseVmRssKiB (text: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB\s*$/m.exec(text)
  return match === null ? null : Number(match[1])
}

let ticksPerSecond: number | undefined
/** The kernel's USER_HZ (getconf CLK_TCK), 100 on every Linux we run. */
export function clockTicksPerSecond (): number {
  if (ticksPerSecond === undefined) {
    try { ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) } catch { ticksPerSecond = 100 }
    if (!Number.isFinite(ticksPerSecond) || ticksPerSecond <= 0) ticksPerSecond = 100
  }
  return ticksPerSecond
}

/** User + system CPU seconds of a process (all its threads), or null when it is gone. */
export function cpuSeconds (pid: number): number | null {
  try {
    const ticks = parseProcStatCpu(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    return (ticks.user + ticks.system) / clockTicksPerSecond()
  } catch { return null }
}

/** Resident memory in MiB, or null when the process is gone. */
export function rssMiB (pid: number): number | null {
  try {
    const kib = parseVmRssKiB(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return kib === null ? null : kib / 1024
  } catch { return null }
}

/** Sum of the CPU seconds of several processes (gone ones count 0). */
export function totalCpuSeconds (pids: readonly number[]): number {
  let total = 0
  for (const pid of pids) total += cpuSeconds(pid) ?? 0
  return total
}

/** Samples every pid's VmRSS at an interval and keeps each one's peak. */
export class PeakRssSampler {
  private readonly peaks = new Map<number, number>()
  private timer: NodeJS.Timeout | undefined

  constructor (private readonly pids: readonly number[], private readonly intervalMs = 200) {}

  start (): void {
    this.sample()
    this.timer = setInterval(() => { this.sample() }, this.intervalMs)
  }

  private sample (): void {
    for (const pid of this.pids) {
      const mib = rssMiB(pid)
      if (mib !== null && mib > (this.peaks.get(pid) ?? 0)) this.peaks.set(pid, mib)
    }
  }

  /** Stops and returns pid → peak MiB. */
  stop (): Map<number, number> {
    clearInterval(this.timer)
    this.sample()
    return this.peaks
  }
}
