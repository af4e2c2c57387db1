# Sourced helper: a minimal Debian 13 root, cached as a tarball so reruns are fast.
# Requires lib.sh to be sourced first.

TRIXIE_ROOT_TARBALL=$CACHE_DIR/trixie-minbase-amd64.tar.zst

# ensure_trixie_tarball: debootstrap once, then reuse the tarball.
ensure_trixie_tarball() {
  if [ -s "$TRIXIE_ROOT_TARBALL" ]; then
    log "reusing cached Debian 13 root $TRIXIE_ROOT_TARBALL"
    return 0
  fi
  check_mirror
  local tmp
  tmp=$(mktemp -d "$CACHE_DIR/debootstrap.XXXXXX")
  log "debootstrap --variant=minbase $DEBIAN_SUITE (first run only)"
  debootstrap --variant=minbase --arch=amd64 "$DEBIAN_SUITE" "$tmp/root" "$DEBIAN_MIRROR" \
    > "$tmp/debootstrap.log" 2>&1 \
    || { tail -n 20 "$tmp/debootstrap.log" >&2; rm -rf "$tmp"; die "debootstrap of $DEBIAN_SUITE from $DEBIAN_MIRROR failed"; }
  rm -rf "$tmp/root/var/cache/apt/archives/"*.deb
  tar --zstd -C "$tmp/root" -cf "$TRIXIE_ROOT_TARBALL.part" .
  mv "$TRIXIE_ROOT_TARBALL.part" "$TRIXIE_ROOT_TARBALL"
  rm -rf "$tmp"
}
