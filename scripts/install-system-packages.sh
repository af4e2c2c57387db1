#!/usr/bin/env bash
# Installs the Debian packages the project needs to build, run and test the
# node from a checkout (Debian 12 or 13, as root). Used by the README's set-up
# command and by .ci/run, so the list lives in one place. The packaging and
# ISO stages need more (--packaging).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  ca-certificates git
  python3 make g++          # node-gyp builds the TUN addon
  iproute2 iputils-ping     # namespaces, veth, TUN configuration, ping in system tests
  curl dnsutils             # SOCKS5 and DNS tests (curl, dig)
  iperf3 netcat-openbsd tcpdump  # TUN system tests (iperf3, nc, a capture proving no DNS query leaves)
  nftables                  # the NAT routers of the system test with nodes behind NAT
  procps util-linux         # ps, setpriv/unshare in privilege tests
)
# Node.js only when there is none: npm ci then brings the project's own Node 24
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
# --packaging: also what building and testing the .deb and the ISO needs
if [ "${1:-}" = "--packaging" ]; then
  packages+=(debhelper dpkg-dev fakeroot lintian debootstrap qemu-system-x86 qemu-utils ovmf xorriso
             squashfs-tools mtools dosfstools fdisk rsync cpio zstd xz-utils binutils systemd)
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "system packages installed: ${packages[*]}"
