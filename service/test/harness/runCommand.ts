import { execFile } from 'node:child_process'

export interface CommandResult { code: number | null, stdout: string, stderr: string }

/** Runs a command to completion (bounded by `timeoutMs`) and returns its exit code and output. */
export async function runCommand (file: string, args: string[], timeoutMs = 60_000, env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  return await new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err == null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null
      resolve({ code, stdout: String(stdout), stderr: String(stderr) })
    })
  })
}
