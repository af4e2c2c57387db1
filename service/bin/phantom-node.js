#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=100
// The libp2p stack needs Node.js 22 or newer; say so plainly instead of crashing later.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write('phantom-node: needs Node.js 22 or newer, found ' + process.version + ' (run it through npx from the repository, or use the packaged /usr/bin/phantom-node)\n')
  process.exit(69)
}
await import('../dist/src/cli/phantomNodeMain.js')
