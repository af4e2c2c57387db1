#!/usr/bin/env bash
# The boot matrix (BIOS-CD, BIOS-USB, UEFI-CD, UEFI-USB) must run whenever
# live-config/, packaging/ or debian/ change. This script fingerprints those
# folders and keeps, in iso-tests/matrix-passed, the fingerprint of the tree
# the matrix last passed on (written by `iso-tests/run.sh matrix` itself).
#
#   iso-tests/appliance-tree.sh hash      print the current fingerprint
#   iso-tests/appliance-tree.sh changed   exit 0 if the folders differ from the
#                                         last tree the matrix passed on
#   iso-tests/appliance-tree.sh record TREE ISO-SHA256
#                                         record TREE (the fingerprint the tested
#                                         ISO was built from, which build-iso.sh
#                                         writes next to it as <iso>.tree) as passed
#
# The fingerprint is a sha256 over the path, mode and content of every file
# in those folders that git tracks or would track (untracked files count,
# ignored ones do not), so it is the same on any clone of the same tree.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
RECORD=$REPO_DIR/iso-tests/matrix-passed
FOLDERS=(live-config packaging debian)

fingerprint() {
  cd "$REPO_DIR"
  git ls-files -z --cached --others --exclude-standard -- "${FOLDERS[@]}" | sort -z -u \
    | while IFS= read -r -d '' f; do
        [ -f "$f" ] || continue
        printf '%s %s %s\n' "$f" "$(stat -c %a "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"
      done | sha256sum | cut -d' ' -f1
}

recorded() { [ -f "$RECORD" ] && sed -n 's/^tree=//p' "$RECORD" | head -n 1; }

case "${1:-}" in
  hash) fingerprint ;;
  changed)
    now=$(fingerprint) last=$(recorded || true)
    if [ "$now" = "$last" ]; then
      echo "live-config/, packaging/ and debian/ unchanged since the boot matrix passed ($(sed -n 's/^date=//p' "$RECORD"), tree $now)"
      exit 1
    fi
    echo "live-config/, packaging/ or debian/ changed since the boot matrix last passed (tree ${last:-none} -> $now)"
    ;;
  record)
    [ $# -eq 3 ] || { echo "usage: $0 record TREE ISO-SHA256" >&2; exit 2; }
    { echo "tree=$2"; echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; echo "iso-sha256=$3"; } > "$RECORD"
    echo "recorded in $RECORD: $(head -n 1 "$RECORD")"
    ;;
  *) echo "usage: $0 hash|changed|record TREE ISO-SHA256" >&2; exit 2 ;;
esac
