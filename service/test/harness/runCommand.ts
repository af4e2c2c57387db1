/**
 * Running host commands (ip, iperf3, tcpdump, phantomctl, …) from tests and
 * benchmarks, bounded in time; the exit code and output come back, nothing
 * throws unless asked to (`mustRun`).
 */
import { execFile } from 'node:child_process'

export interface CommandResult { code: number | null, stdout: string, stderr: string }

/** What `run` and `mustRun` return: the exit code, -1 for a command killed by a signal. */
export interface RunResult { code: number, stdout: string, stderr: string }

/** Runs a command to completion (bounded by `timeoutMs`) and returns its exit code (null: killed by a signal) and output. */
export async function runCommand (file: string, args: readonly string[], timeoutMs = 60_000, env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  return await new Promise((resolve) => {
    execFile(file, [...args], { timeout: timeoutMs, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err == null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null
      const killed = err != null && (err as { killed?: boolean }).killed === true ? `\n[killed after ${timeoutMs} ms]` : ''
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + killed })
    })
  })
}

/** `runCommand` with a 20 s default and -1 for a command killed by a signal. */
export async function run (command: string, args: readonly string[], timeoutMs = 20_000): Promise<RunResult> {
  const result = await runCommand(command, args, timeoutMs)
  return { ...result, code: result.code ?? -1 }
}

/** `run`, throwing with the command line and its output unless it exits 0. */
export async function mustRun (command: string, args: readonly string[], timeoutMs = 20_000): Promise<RunResult> {
  const result = await run(command, args, timeoutMs)
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr}${result.stdout}`)
  return result
}
