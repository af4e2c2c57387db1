#!/usr/bin/env bash
# Build build/phantom-<version>-amd64.hybrid.iso: Debian 13 live image with
# the phantom-node package, from live-config/, with trixie's live-build
# (fetched from the trixie archive into build/cache/tools and run through
# LIVE_BUILD=, the host is not changed). Packages downloaded by live-build are
# kept in build/cache/live-build and reused. The ISO is written under a
# temporary name and renamed at the end: a failed build never leaves a
# partial ISO at the final path.
source "$(dirname "$0")/lib.sh"

stage check
need_root
need_tools debootstrap:debootstrap cpio:cpio curl:curl xz:xz-utils dpkg-deb:dpkg rsync:rsync \
  mksquashfs:squashfs-tools xorriso:xorriso
VERSION=$(package_version)
DEB=$BUILD_DIR/phantom-node_${VERSION}_amd64.deb
[ -f "$DEB" ] || die "$DEB not found: run npm run package:deb first"
ISO=$BUILD_DIR/phantom-$VERSION-amd64.hybrid.iso
WORK=$BUILD_DIR/iso/work
LB_CACHE=$CACHE_DIR/live-build
LB_TOOLS=$CACHE_DIR/tools
mkdir -p "$BUILD_DIR/iso" "$LB_CACHE" "$LB_TOOLS"
check_mirror

stage live-build-tool
# trixie's live-build (an Architecture: all package): its version and checksum
# come from the archive's index, the .deb is kept in the cache.
LB_DEB=$(ls "$LB_TOOLS"/live-build_*_all.deb 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$LB_DEB" ]; then
  INDEX=$(curl -fsS --max-time 60 "$DEBIAN_MIRROR/dists/$DEBIAN_SUITE/main/binary-all/Packages.xz" | xz -d) \
    || die "cannot fetch the $DEBIAN_SUITE package index from $DEBIAN_MIRROR"
  # (here-strings, not pipes: a reader that stops early would kill the writer
  # with SIGPIPE, which pipefail turns into a failure)
  ENTRY=$(awk '/^Package: live-build$/ {f=1} f && /^$/ {f=0; done=1} f && !done' <<< "$INDEX")
  FILE=$(sed -n 's/^Filename: //p' <<< "$ENTRY")
  SUM=$(sed -n 's/^SHA256: //p' <<< "$ENTRY")
  [ -n "$FILE" ] && [ -n "$SUM" ] || die "live-build not found in the $DEBIAN_SUITE index"
  LB_DEB=$LB_TOOLS/$(basename "$FILE")
  curl -fsS --max-time 120 -o "$LB_DEB.part" "$DEBIAN_MIRROR/$FILE" || die "cannot download $DEBIAN_MIRROR/$FILE"
  echo "$SUM  $LB_DEB.part" | sha256sum -c --quiet || die "checksum mismatch for $FILE"
  mv "$LB_DEB.part" "$LB_DEB"
fi
LB_ROOT=$LB_TOOLS/$(basename "$LB_DEB" .deb)
if [ ! -x "$LB_ROOT/usr/bin/lb" ]; then
  rm -rf "$LB_ROOT"
  dpkg-deb -x "$LB_DEB" "$LB_ROOT"
fi
# The layout live-build expects in LIVE_BUILD= (that of its source tree).
LIVE_BUILD=$LB_ROOT/tree
rm -rf "$LIVE_BUILD"
mkdir -p "$LIVE_BUILD/scripts"
ln -s ../../usr/lib/live/build.sh "$LIVE_BUILD/scripts/build.sh"
ln -s ../../usr/lib/live/build "$LIVE_BUILD/scripts/build"
ln -s ../usr/share/live/build/functions "$LIVE_BUILD/functions"
ln -s ../usr/share/live/build "$LIVE_BUILD/share"
ln -s ../usr/share/live/build/data "$LIVE_BUILD/data"
# Its version normally comes from /usr/share/live/build/VERSION.
sed -i "s#VERSION=\"\$(cat /usr/share/live/build/VERSION)\"#VERSION=\"\$(cat $LB_ROOT/usr/share/live/build/VERSION)\"#" \
  "$LB_ROOT/usr/share/live/build/functions/common.sh"
export LIVE_BUILD
export PATH="$LB_ROOT/usr/bin:$PATH"
log "live-build $(cat "$LB_ROOT/usr/share/live/build/VERSION")"

stage config
if [ -d "$WORK" ]; then
  # A previous build's chroot may still have mounts: live-build undoes them.
  (cd "$WORK" && lb clean >/dev/null 2>&1) || true
  if findmnt -rn -o TARGET | grep -q "^$WORK/"; then
    die "mounts left under $WORK from an earlier build; unmount them first"
  fi
  rm -rf "$WORK"
fi
mkdir -p "$WORK"
# The fingerprint of live-config/, packaging/ and debian/ this ISO is built
# from, kept next to it: the boot matrix records it when it passes.
TREE=$(bash "$REPO_DIR/iso-tests/appliance-tree.sh" hash)
rsync -a "$REPO_DIR/live-config/" "$WORK/"
ln -s "$LB_CACHE" "$WORK/cache"
mkdir -p "$WORK/config/packages.chroot"
cp "$DEB" "$WORK/config/packages.chroot/"
(cd "$WORK" && PHANTOM_VERSION=$VERSION PHANTOM_MIRROR=$DEBIAN_MIRROR lb config > "$BUILD_DIR/iso/lb-config.log" 2>&1) \
  || { tail -n 20 "$BUILD_DIR/iso/lb-config.log" >&2; die "lb config failed, log: $BUILD_DIR/iso/lb-config.log"; }

stage lb-build
BUILD_LOG=$BUILD_DIR/iso/lb-build.log
log "full log: $BUILD_LOG"
trap - ERR
set +e
(cd "$WORK" && lb build 2>&1) | tee "$BUILD_LOG" \
  | grep --line-buffered -E '^\[[0-9-]+ [0-9:]+\] lb (bootstrap|chroot|installer|binary|source)[a-z_-]*( |$)|^P: Begin|^E: ' \
  | while IFS= read -r line; do log "  $line"; done
RC=${PIPESTATUS[0]}
set -e
trap on_error ERR
BUILT=$(ls "$WORK"/*.hybrid.iso 2>/dev/null | head -n 1 || true)
if [ "$RC" != 0 ] || [ -z "$BUILT" ]; then
  LAST=$(grep -E '^\[[0-9-]+ [0-9:]+\] lb ' "$BUILD_LOG" | tail -n 1 || true)
  tail -n 25 "$BUILD_LOG" >&2
  die "lb build failed (exit $RC) in ${LAST:-an early stage}; log: $BUILD_LOG"
fi

stage publish
rm -f "$ISO.tree"
mv "$BUILT" "$ISO.part"
mv "$ISO.part" "$ISO"
echo "$TREE" > "$ISO.tree"
# The chroot is kept for the ISO tests (kernel and initrd for direct boot are
# read from the ISO itself); the binary tree is not needed.
(cd "$WORK" && lb clean --binary >/dev/null 2>&1) || true
stage_end

log "ISO: $ISO"
log "size: $(du -h "$ISO" | cut -f1) ($(stat -c %s "$ISO") bytes)"
log "sha256: $(sha256sum "$ISO" | cut -d' ' -f1)"
log "built from live-config/, packaging/, debian/ tree $TREE"
log "build time: $(( $(date +%s) - SCRIPT_T0 ))s"
