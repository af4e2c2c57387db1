/** Runs every benchmark in turn (npm run bench), each in its own process. */
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const benches = ['netdbBench.js', 'pathSetupCrypto.js', 'tunnelKeySearch.js', 'noiseLengthDecoder.js']
let failed = 0
for (const b of benches) {
  process.stdout.write(`\n=== ${b}\n`)
  const r = spawnSync(process.execPath, [join(here, b), ...process.argv.slice(2)], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
