#!/usr/bin/env bash
# Runs a development node from this checkout (npm start). Its configuration,
# keys and control socket live in $PHANTOM_DEV_DIR (default
# ~/.local/share/phantom-dev); the configuration is created on first run.
set -euo pipefail
dir=${PHANTOM_DEV_DIR:-$HOME/.local/share/phantom-dev}
mkdir -p "$dir"
config="$dir/phantom.yaml"
if [ ! -f "$config" ]; then
  cat > "$config" <<YAML
# Development node configuration (created by scripts/run-dev-node.sh).
# Every option and its default: service/etc/phantom.yaml, docs/configuration.md
dataDir: $dir/data
controlSocket: $dir/control.sock
listen: ["/ip4/0.0.0.0/tcp/4821"]
mdns: true
network:
  allowPrivateAddresses: true
path:
  # on one LAN every node shares one /16: relax the diversity filter
  diversity: false
YAML
  echo "phantom: created $config" >&2
fi
echo "phantom: inspect it with: npx phantomctl --config $config status" >&2
exec node "$(dirname "$0")/../service/bin/phantom-node.js" --config "$config" "$@"
