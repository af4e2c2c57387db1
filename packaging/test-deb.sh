#!/usr/bin/env bash
# Package test for build/phantom-node_<version>_amd64.deb:
#   lintian (no errors, no warnings), systemd-analyze security of the unit
#   (exposure <= 2.5), install into a fresh Debian 13 root (debootstrap,
#   cached as a tarball under build/cache/), record what apt pulled in and
#   check it is only what the package declares, start the daemon from the
#   installed files as user phantom (own network namespace) and query it with
#   phantomctl status --json, stop it with SIGTERM, purge, and check nothing
#   that policy says must go is left.
# Mounts, the daemon and the temporary root are removed even on failure.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/trixie-root.sh"

MAX_EXPOSURE=2.5
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); log "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); log "FAIL: $*"; }

stage check
need_root
need_tools lintian:lintian systemd-analyze:systemd debootstrap:debootstrap chroot:coreutils \
  unshare:util-linux zstd:zstd mount:mount
VERSION=$(package_version)
DEB=${1:-$BUILD_DIR/phantom-node_${VERSION}_amd64.deb}
[ -f "$DEB" ] || die "$DEB not found (run npm run package:deb first)"
DEB=$(readlink -f "$DEB")
mkdir -p "$CACHE_DIR"
WORK=$(mktemp -d "$BUILD_DIR/pkgtest.XXXXXX")
ROOT=$WORK/root
DAEMON_PID=""
MOUNTS=()

cleanup() {
  local rc=$?
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
  fi
  local i
  for (( i=${#MOUNTS[@]}-1; i>=0; i-- )); do
    umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" 2>/dev/null || true
  done
  if findmnt -rn -o TARGET | grep -q "^$ROOT"; then
    log "warning: mounts left under $ROOT, not removing it"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT

mount_in_root() { # mount_in_root TYPE SOURCE TARGET [OPTIONS]
  mkdir -p "$ROOT$3"
  if [ "$1" = bind ]; then
    mount --bind "$2" "$ROOT$3"
  else
    mount -t "$1" ${4:+-o "$4"} "$2" "$ROOT$3"
  fi
  MOUNTS+=("$ROOT$3")
}

in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive "$@"; }

stage lintian
log "lintian $(dpkg-query -W -f '${Version}' lintian) (host)"
if [ "${PHANTOM_SKIP_LINTIAN:-0}" = 1 ]; then
  log "PHANTOM_SKIP_LINTIAN=1: lintian not run"
elif lintian --fail-on error,warning --display-info "$DEB" > "$WORK/lintian.txt" 2>&1; then
  pass "lintian: no errors, no warnings ($(grep -c '^I:' "$WORK/lintian.txt" || true) info tags)"
else
  cat "$WORK/lintian.txt" >&2
  fail "lintian reports errors or warnings"
fi

stage unit-security
dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$WORK" ./lib/systemd/system/phantom-node.service ./usr/lib/systemd/system/phantom-node.service 2>/dev/null || true
UNIT=""
for f in "$WORK"/lib/systemd/system/phantom-node.service "$WORK"/usr/lib/systemd/system/phantom-node.service; do
  [ -f "$f" ] && UNIT=$f
done
[ -n "$UNIT" ] || die "phantom-node.service is not in the package"
EXPOSURE=$(systemd-analyze security --offline=true "$UNIT" 2>/dev/null \
  | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -n "$EXPOSURE" ] && awk -v e="$EXPOSURE" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }'; then
  pass "systemd-analyze security: exposure $EXPOSURE <= $MAX_EXPOSURE"
else
  fail "systemd-analyze security: exposure '${EXPOSURE:-unknown}' > $MAX_EXPOSURE"
fi

stage rootfs
ensure_trixie_tarball
mkdir -p "$ROOT"
tar --zstd -C "$ROOT" -xf "$TRIXIE_ROOT_TARBALL"
mount_in_root proc proc /proc
mount_in_root sysfs sysfs /sys
mount_in_root bind /dev /dev
mount_in_root tmpfs tmpfs /run mode=0755
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
in_root dpkg-query -W -f '${Package}\n' | sort > "$WORK/before.txt"

stage install
check_mirror
cp "$DEB" "$ROOT/tmp/"
in_root apt-get update -q > "$WORK/apt-update.log" 2>&1 || { cat "$WORK/apt-update.log" >&2; die "apt-get update in the Debian 13 root failed"; }
if in_root apt-get install -y -q "/tmp/$(basename "$DEB")" > "$WORK/apt-install.log" 2>&1; then
  pass "apt install ./$(basename "$DEB") in a fresh Debian 13 root"
else
  cat "$WORK/apt-install.log" >&2
  die "apt install of the package failed"
fi
in_root dpkg-query -W -f '${Package}\n' | sort > "$WORK/after.txt"
comm -13 "$WORK/before.txt" "$WORK/after.txt" > "$WORK/pulled.txt"
log "packages installed by apt install: $(tr '\n' ' ' < "$WORK/pulled.txt")"
# the closure of what the package declares, with the Recommends of those
# dependencies, which apt installs by default (iproute2 -> libcap2-bin ->
# Recommends libpam-cap, for example); phantom-node itself recommends nothing
in_root apt-cache depends --recurse --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances --installed phantom-node 2>/dev/null \
  | grep -v '^ ' | sed 's/:amd64$//' | sort -u > "$WORK/declared.txt"
UNDECLARED=$(comm -23 "$WORK/pulled.txt" "$WORK/declared.txt" | tr '\n' ' ')
if [ -z "$UNDECLARED" ]; then
  pass "apt pulled only phantom-node and its declared dependencies"
else
  fail "apt pulled packages outside the declared dependencies: $UNDECLARED"
fi

stage installed-files
MISSING=""
for f in /usr/bin/phantom-node /usr/bin/phantomctl /usr/lib/phantom-node/bin/node \
  /usr/lib/phantom-node/service/bin/phantom-node.js /usr/lib/phantom-node/service/dist \
  /etc/phantom/phantom.yaml /usr/share/man/man8/phantom-node.8.gz \
  /usr/share/man/man1/phantomctl.1.gz /usr/share/man/man5/phantom.yaml.5.gz; do
  [ -e "$ROOT$f" ] || MISSING="$MISSING $f"
done
UNITFILE=""
for f in "$ROOT"/lib/systemd/system/phantom-node.service "$ROOT"/usr/lib/systemd/system/phantom-node.service; do
  [ -f "$f" ] && UNITFILE=$f
done
[ -n "$UNITFILE" ] || MISSING="$MISSING phantom-node.service"
if [ -z "$MISSING" ]; then pass "installed files present"; else fail "installed files missing:$MISSING"; fi
if in_root dpkg-query -W -f '${Conffiles}\n' phantom-node | grep -q '^ /etc/phantom/phantom.yaml '; then
  pass "/etc/phantom/phantom.yaml is a conffile"
else
  fail "/etc/phantom/phantom.yaml is not a conffile"
fi
if in_root getent passwd phantom >/dev/null && in_root getent group phantom >/dev/null; then
  pass "system user and group phantom exist"
else
  fail "system user or group phantom missing"
fi
NODE_VERSION=$(in_root /usr/lib/phantom-node/bin/node --version || true)
case "$NODE_VERSION" in
  v24.*) pass "packaged runtime is Node $NODE_VERSION" ;;
  *) fail "packaged runtime answers '$NODE_VERSION', expected v24" ;;
esac

stage daemon
# What systemd does for StateDirectory= and RuntimeDirectory= (no systemd in a chroot).
in_root install -d -o phantom -g phantom -m 0750 /var/lib/phantom /run/phantom
unshare --net --fork -- sh -c 'ip link set lo up 2>/dev/null || true; exec chroot --userspec=phantom:phantom "$1" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/var/lib/phantom /usr/bin/phantom-node --config /etc/phantom/phantom.yaml' \
  sh "$ROOT" > "$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
STATUS=""
DEADLINE=$(( $(date +%s) + 90 ))
while [ "$(date +%s)" -lt "$DEADLINE" ]; do
  if ! kill -0 "$DAEMON_PID" 2>/dev/null; then break; fi
  if STATUS=$(in_root /usr/bin/phantomctl --socket /run/phantom/control.sock status --json 2>/dev/null); then break; fi
  STATUS=""
  sleep 1
done
if [ -n "$STATUS" ] && printf '%s' "$STATUS" | in_root /usr/lib/phantom-node/bin/node -e '
  let text = ""
  process.stdin.on("data", (d) => { text += d }).on("end", () => {
    const s = JSON.parse(text)
    const ok = typeof s.version === "string" && typeof s.peerId === "string" && s.peerId.length > 0 &&
      Array.isArray(s.listen) && typeof s.peers === "number" && typeof s.uptimeSeconds === "number"
    process.exit(ok ? 0 : 1)
  })'; then
  pass "daemon started from the installed files; phantomctl status --json answers"
  log "status: $STATUS"
else
  fail "phantomctl status --json did not answer with version, peerId, listen, peers, uptimeSeconds"
  tail -n 30 "$WORK/daemon.log" >&2
fi
SOCKET_MODE=$(stat -c '%a %g' "$ROOT/run/phantom/control.sock" 2>/dev/null || true)
PHANTOM_GID=$(in_root getent group phantom | cut -d: -f3)
if [ "$SOCKET_MODE" = "660 $PHANTOM_GID" ]; then
  pass "control socket mode 0660 group phantom"
else
  fail "control socket is '$SOCKET_MODE', expected '660 $PHANTOM_GID' (group phantom)"
fi
if kill -0 "$DAEMON_PID" 2>/dev/null; then
  # unshare --fork passes SIGTERM on to the daemon only through the process group.
  DPID=$(pgrep -P "$DAEMON_PID" || true)
  kill -TERM "${DPID:-$DAEMON_PID}"
  RC=0
  wait "$DAEMON_PID" || RC=$?
  DAEMON_PID=""
  if [ "$RC" = 0 ]; then pass "SIGTERM: clean exit 0"; else fail "SIGTERM: exit status $RC"; fi
else
  fail "daemon exited on its own"
fi

stage purge
in_root dpkg-query -L phantom-node > "$WORK/files.txt"
if in_root apt-get purge -y -q phantom-node > "$WORK/apt-purge.log" 2>&1; then
  pass "apt purge phantom-node"
else
  cat "$WORK/apt-purge.log" >&2
  fail "apt purge phantom-node failed"
fi
LEFT=""
while read -r f; do
  case "$f" in /.|/etc|/usr|/usr/bin|/usr/lib|/usr/share|/usr/share/doc|/usr/share/man|/usr/share/man/man*|/lib|/lib/systemd|/lib/systemd/system|/usr/lib/systemd|/usr/lib/systemd/system) continue ;; esac
  [ -e "$ROOT$f" ] || continue
  # A directory other packages also own stays (dpkg removes it when empty).
  if [ -d "$ROOT$f" ] && in_root dpkg-query -S "$f" >/dev/null 2>&1; then continue; fi
  LEFT="$LEFT $f"
done < "$WORK/files.txt"
for f in /etc/phantom /var/lib/phantom /usr/lib/phantom-node; do
  [ -e "$ROOT$f" ] && LEFT="$LEFT $f"
done
if [ -z "$LEFT" ]; then
  pass "purge left none of the package's files, /etc/phantom or /var/lib/phantom"
else
  fail "purge left:$LEFT"
fi
if in_root getent passwd phantom >/dev/null; then
  log "note: system user phantom is kept after purge (Debian practice: uids are not reused)"
fi
stage_end

log "$PASSED passed, $FAILED failed"
if [ "$FAILED" -eq 0 ]; then exit 0; else exit 1; fi
