#!/usr/bin/env bash
# ISO tests: boot build/phantom-<version>-amd64.hybrid.iso headless in QEMU
# (software emulation) and check the node. Waits for markers with timeouts.
#
#   iso-tests/run.sh [quick] [matrix] [lan] [install] [secureboot] [all]
#
#   quick    direct kernel boot (kernel and initrd read from the ISO): the
#            service is active, phantomctl status --json answers, tty1 status
#            screen, DHCP address, live configuration (everyday check)
#   matrix   the real boot path: BIOS-CD, BIOS-USB, UEFI-CD, UEFI-USB; the
#            menu starts "Phantom node" by itself and the node answers
#   lan      two VMs on one private virtual LAN (-netdev socket on
#            127.0.0.1, no DHCP: link-local addresses only): each announces
#            its 169.254/16 address and lists the other as a peer (mDNS)
#   install  unattended install to a blank disk, then boot that disk under
#            BIOS and UEFI: the node runs with the same configuration
#   secureboot  UEFI-CD with Secure Boot enforced (OVMF, Microsoft keys), and
#            the negative test: the same firmware refuses a tampered shim
#   scenario two VMs and 10 nodes from the .deb (namespaces) on one private LAN, mDNS only: from A, B's name, ping -6, curl (iso-tests/scenario.sh; root)
#   persistence  a phantom-persist partition keeps PeerId, AP address and
#            /etc/phantom across boots; without one every boot is new
#            (iso-tests/persistence.sh)
#   seed     no mDNS neighbour, no bootstrap: a vfat disk labelled PHANTOMSEED
#            with a seed file from `phantomctl peers export` on a host node
#            brings the VM to it (iso-tests/seed.sh)
# Default: quick lan. Prints "N passed, N failed" last; exit 1 on failure.
# QEMU processes and temporary files are removed even on failure.
set -euo pipefail
source "$(dirname "$0")/qemu.sh"
source "$(dirname "$0")/deb-node.sh"
source "$(dirname "$0")/scenario.sh"
source "$(dirname "$0")/persistence.sh"
source "$(dirname "$0")/seed.sh"
REPO_DIR=$(cd "$ISO_TESTS_DIR/.." && pwd)
BUILD_DIR=${PHANTOM_BUILD_DIR:-$REPO_DIR/build}
VERSION=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$REPO_DIR/service/package.json" | head -n 1)
ISO=${PHANTOM_ISO:-$BUILD_DIR/phantom-$VERSION-amd64.hybrid.iso}
BOOT_TIMEOUT=${PHANTOM_BOOT_TIMEOUT:-900}
PASSED=0
FAILED=0
T0=$(date +%s)

log() { printf '[%s +%ss] %s\n' "$(date -u +%H:%M:%S)" "$(( $(date +%s) - T0 ))" "$*"; }
pass() { PASSED=$((PASSED + 1)); log "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); log "FAIL: $*"; }

for tool in qemu-system-x86_64 xorriso python3 qemu-img; do
  command -v "$tool" >/dev/null || { echo "ERROR: iso-tests: missing host tool $tool" >&2; exit 1; }
done
[ -f "$ISO" ] || { echo "ERROR: iso-tests: $ISO not found (run npm run package:iso)" >&2; exit 1; }

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/phantom-iso-tests.XXXXXX")
finish() {
  local rc=$?
  vm_cleanup_all
  if [ "$rc" != 0 ] && [ "$FAILED" -gt 0 ] && [ -n "${PHANTOM_KEEP_LOGS:-}" ]; then
    log "logs kept in $TEST_TMP"
  else
    rm -rf "$TEST_TMP"
  fi
}
trap finish EXIT
trap 'exit 130' INT TERM

# Kernel and initrd for direct kernel boot, and the live kernel command line.
extract_kernel() {
  local listing
  listing=$(xorriso -indev "$ISO" -find /live -type f 2>/dev/null)
  local kernel initrd
  kernel=$(printf '%s\n' "$listing" | grep -E "^'?/live/vmlinuz" | head -n 1 | tr -d "'")
  initrd=$(printf '%s\n' "$listing" | grep -E "^'?/live/initrd" | head -n 1 | tr -d "'")
  [ -n "$kernel" ] && [ -n "$initrd" ] || { echo "ERROR: no kernel/initrd under /live in $ISO" >&2; exit 1; }
  KERNEL=$TEST_TMP/vmlinuz
  INITRD=$TEST_TMP/initrd.img
  xorriso -osirrox on -indev "$ISO" -extract "$kernel" "$KERNEL" -extract "$initrd" "$INITRD" >/dev/null 2>&1
  xorriso -osirrox on -indev "$ISO" -extract /boot/grub/grub.cfg "$TEST_TMP/grub.cfg" >/dev/null 2>&1
  # The menu's own kernel command line, plus the test's root shell on ttyS1.
  LIVE_APPEND=$(awk '/menuentry "Phantom node"/ {f=1} f && $1 == "linux" {$1=""; $2=""; print; exit}' "$TEST_TMP/grub.cfg")
  # no_timer_check: on a loaded host an emulated guest's boot-time IO-APIC
  # timer check can fail with a kernel panic ("IO-APIC + timer doesn't work!").
  LIVE_APPEND="$(printf '%s' "$LIVE_APPEND" | sed 's/findiso=[^ ]*//') systemd.debug_shell=ttyS1 no_timer_check"
  [ -n "$LIVE_APPEND" ] || { echo "ERROR: no \"Phantom node\" entry in the ISO's grub.cfg" >&2; exit 1; }
}

# check_node NAME: service active, phantomctl status --json answers.
check_node() {
  local name=$1 label=$2 out
  if out=$(vm_wait_shell "$name" "$BOOT_TIMEOUT" 'systemctl is-active phantom-node'); then
    pass "$label: phantom-node.service active after $(vm_elapsed "$name")s"
  else
    fail "$label: phantom-node.service not active ($out)"
    return 1
  fi
  if out=$(vm_wait_shell "$name" 120 'phantomctl status --json') \
     && printf '%s' "$out" | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s["peerId"] and isinstance(s["listen"], list) and isinstance(s["peers"], int) and "version" in s'; then
    pass "$label: phantomctl status --json answers ($(printf '%s' "$out" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["peerId"], s["listen"])'))"
  else
    fail "$label: phantomctl status --json did not answer: $out"
    return 1
  fi
}

test_quick() {
  log "== quick: direct kernel boot"
  if boot_until_ready quick bios kernel -nic user,model=virtio-net-pci; then
    pass "quick: console shows $(grep -ao 'PHANTOM-NODE-READY[^\r]*' "$TEST_TMP/quick/console.log" | head -n 1) after $(vm_elapsed quick)s"
  else
    fail "quick: no PHANTOM-NODE-READY on the serial console within ${BOOT_TIMEOUT}s"
  fi
  check_node quick quick || true
  local out
  if out=$(vm_shell quick 30 'systemctl is-active phantom-status phantom-announce systemd-networkd serial-getty@ttyS0'); then
    pass "quick: tty1 status screen, console banner, networkd and serial login active"
  else
    fail "quick: a unit is not active: $(echo $out)"
  fi
  if out=$(vm_shell quick 30 'ip -4 -o addr show scope global | grep -q "inet 10\.0\.2\." && echo dhcp-ok'); then
    pass "quick: DHCP address on the wired NIC"
  else
    fail "quick: no DHCP address: $out"
  fi
  if out=$(vm_shell quick 30 'grep -Eq "^ +allowPrivateAddresses: true" /etc/phantom/phantom.yaml && grep -Eq "^mdns: true" /etc/phantom/phantom.yaml && echo ok'); then
    pass "quick: live configuration sets allowPrivateAddresses and mdns"
  else
    fail "quick: live configuration not in /etc/phantom/phantom.yaml"
  fi
  # the unit's capabilities at work: CAP_NET_ADMIN (phantom0, its address and route), CAP_NET_BIND_SERVICE (resolver on port 53).
  # One phantomctl call per check, 90 s each: under software emulation on a busy host one call
  # (a whole Node.js start) can take over 15 s (see vm_wait_shell), and these checks once failed on a 30 s budget.
  if out=$(vm_shell quick 90 'ip -6 -o addr show dev phantom0 | grep -q "inet6 fd50:" && ip -6 route show fd50::/16 | grep -q phantom0 && s=$(phantomctl status --json) && { echo "$s" | grep -q "\"dns\":\"127.0.80.53:53\"" && echo ok || { echo "$s" | tr , "\n" | grep -i problem; exit 1; }; }'); then
    pass "quick: phantom0 carries the AP address with fd50::/16 routed into it; the .phantom resolver listens on 127.0.80.53:53"
  else
    fail "quick: no phantom0 or no resolver: $(echo $out)"
  fi
  # the wildcard listener sees phantom0's addresses (the IPv4 mapping's 100.64.0.1): never announced
  if out=$(vm_shell quick 90 'ip -4 -o addr show dev phantom0 | grep -q "inet 100.64.0.1/32" || { echo "no 100.64.0.1/32 on phantom0"; exit 1; }; s=$(phantomctl status --json) && echo "$s" | grep -q "/ip4/10.0.2.15/tcp/4821" && ! echo "$s" | grep -Eq "/ip4/100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|/ip6/fd50:" && echo ok || { echo "$s" | tr , "\n" | grep -E "ip4|ip6|ipv4"; exit 1; }'); then
    pass "quick: phantom0 carries the IPv4 mapping's 100.64.0.1; the node announces its LAN address and none of phantom0's"
  else
    fail "quick: IPv4 mapping missing, or phantom0's addresses announced: $(echo $out)"
  fi
  if out=$(vm_shell quick 30 'systemctl show phantom-node -p ActiveEnterTimestampMonotonic --value'); then
    log "quick: service active $(( ${out//[!0-9]/} / 1000000 ))s after the kernel started"
  fi
  vm_stop quick
}

# Known faults of QEMU's software emulation (not of the image): an "Oops:
# int3" while the guest kernel patches its own code (multi-threaded TCG), and
# the IO-APIC timer check panic. A boot that shows one of them is booted once
# more, with the crash logged; any other failure, or the same fault twice,
# fails the check.
EMULATION_FAULT='Oops: int3|IO-APIC \+ timer doesn.t work'

# boot_until_ready NAME FIRMWARE MEDIA [qemu args...]: start the VM and wait
# for the PHANTOM-NODE-READY marker on its console.
boot_until_ready() {
  local name=$1 attempt
  for attempt in 1 2; do
    vm_start "$@"
    # (the fault ends the wait at once: a crashed guest would only hang until the timeout)
    vm_wait_console "$name" "PHANTOM-NODE-READY|$EMULATION_FAULT" "$BOOT_TIMEOUT" || true
    if grep -aq 'PHANTOM-NODE-READY' "$TEST_TMP/$name/console.log"; then return 0; fi
    if [ "$attempt" = 1 ] && grep -aqE "$EMULATION_FAULT" "$TEST_TMP/$name/console.log"; then
      log "$name: the emulated guest crashed ($(grep -aoE "$EMULATION_FAULT" "$TEST_TMP/$name/console.log" | head -n 1)): a fault of QEMU's software emulation; booting once more"
      vm_stop "$name"
      rm -rf "$TEST_TMP/$name.crashed"
      mv "$TEST_TMP/$name" "$TEST_TMP/$name.crashed"
      continue
    fi
    return 1
  done
}

test_matrix() {
  local firmware media name failed_before=$FAILED
  for firmware in bios uefi; do
    for media in cd usb; do
      name=$firmware-$media
      log "== matrix: $name"
      if boot_until_ready "$name" "$firmware" "$media" -nic user,model=virtio-net-pci; then
        pass "$name: menu started Phantom node by itself; node ready after $(vm_elapsed "$name")s ($(grep -ao 'PHANTOM-NODE-READY[^\r]*' "$TEST_TMP/$name/console.log" | head -n 1))"
      else
        fail "$name: no PHANTOM-NODE-READY within ${BOOT_TIMEOUT}s; console tail: $(tail -c 400 "$TEST_TMP/$name/console.log" | tr -d '\r' | tr '\n' ' ')"
      fi
      vm_stop "$name"
    done
  done
  # All four passed: record the tree the ISO was built from, so CI runs the
  # matrix again only once live-config/, packaging/ or debian/ change.
  if [ "$FAILED" = "$failed_before" ] && [ -f "$ISO.tree" ]; then
    bash "$ISO_TESTS_DIR/appliance-tree.sh" record "$(cat "$ISO.tree")" "$(sha256sum "$ISO" | cut -d' ' -f1)" | while IFS= read -r l; do log "matrix: $l"; done
  fi
}

# UEFI with Secure Boot enforced (OVMF with Microsoft's keys enrolled): the
# CD boots through Debian's signed shim, GRUB and kernel, or not at all.
test_secureboot() {
  local name=uefi-sb-cd f
  log "== secureboot: $name"
  for f in "$OVMF_SB_CODE" "$OVMF_SB_VARS"; do
    [ -f "$f" ] || { fail "secureboot: $f not found (Debian package ovmf)"; return; }
  done
  if boot_until_ready "$name" uefi-sb cd -nic user,model=virtio-net-pci; then
    pass "$name: booted with Secure Boot on; node ready after $(vm_elapsed "$name")s ($(grep -ao 'PHANTOM-NODE-READY[^\r]*' "$TEST_TMP/$name/console.log" | head -n 1))"
  else
    fail "$name: no PHANTOM-NODE-READY within ${BOOT_TIMEOUT}s; console tail: $(tail -c 400 "$TEST_TMP/$name/console.log" | tr -d '\r' | tr '\n' ' ')"
  fi
  vm_stop "$name"
  test_secureboot_refuses_tampered
}

# The negative test: the firmware really enforces Secure Boot. Debian's shim
# from the ISO alone on a FAT disk runs (and reports that GRUB is missing);
# the same shim with one byte changed is refused ("Access Denied").
test_secureboot_refuses_tampered() {
  local dir=$TEST_TMP/sb-neg variant
  mkdir -p "$dir"
  xorriso -osirrox on -indev "$ISO" -extract /EFI/boot/bootx64.efi "$dir/shim.efi" >/dev/null 2>&1 \
    || { fail "secureboot: no /EFI/boot/bootx64.efi in the ISO"; return; }
  python3 -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[len(d) // 3] ^= 1; open(sys.argv[2], "wb").write(d)' \
    "$dir/shim.efi" "$dir/shim-tampered.efi"
  for variant in signed tampered; do
    local file=$dir/shim.efi name=uefi-sb-$variant
    [ "$variant" = tampered ] && file=$dir/shim-tampered.efi
    rm -f "$dir/$variant.img"
    mkfs.vfat -C "$dir/$variant.img" 4096 >/dev/null && mmd -i "$dir/$variant.img" ::/EFI ::/EFI/BOOT \
      && mcopy -i "$dir/$variant.img" "$file" ::/EFI/BOOT/BOOTX64.EFI \
      || { fail "secureboot: could not make the $variant FAT disk (dosfstools, mtools)"; return; }
    log "== secureboot: $variant shim alone on a disk"
    vm_start "$name" uefi-sb disk -drive "if=virtio,format=raw,file=$dir/$variant.img" -nic none
    vm_wait_console "$name" 'No bootable option or device was found' 300 || true
    vm_stop "$name"
  done
  local signed=$TEST_TMP/uefi-sb-signed/console.log tampered=$TEST_TMP/uefi-sb-tampered/console.log
  if grep -aq 'Failed to open \\EFI\\BOOT\\grubx64.efi' "$signed" && ! grep -aq 'Access Denied' "$signed"; then
    pass "secureboot: the firmware runs Debian's signed shim (it reports GRUB missing)"
  else
    fail "secureboot: the signed shim did not run; console tail: $(tail -c 400 "$signed" | tr -d '\r' | tr '\n' ' ')"
  fi
  if grep -aq 'UEFI Non-Block Boot Device.*Access Denied' "$tampered" && ! grep -aq 'grubx64.efi' "$tampered"; then
    pass "secureboot: the firmware refuses the same shim with one byte changed (Access Denied)"
  else
    fail "secureboot: the tampered shim was not refused; console tail: $(tail -c 400 "$tampered" | tr -d '\r' | tr '\n' ' ')"
  fi
}

test_lan() {
  log "== lan: two nodes on one private virtual LAN"
  local port=$(( 20000 + RANDOM % 20000 ))
  VM_MEMORY=${PHANTOM_LAN_VM_MEMORY:-1024} vm_start lan-a bios kernel \
    -netdev "socket,id=lan,listen=127.0.0.1:$port" -device virtio-net-pci,netdev=lan,mac=52:54:00:50:00:01
  VM_MEMORY=${PHANTOM_LAN_VM_MEMORY:-1024} vm_start lan-b bios kernel \
    -netdev "socket,id=lan,connect=127.0.0.1:$port" -device virtio-net-pci,netdev=lan,mac=52:54:00:50:00:02
  local id_a id_b
  id_a=$(vm_wait_shell lan-a "$BOOT_TIMEOUT" 'phantomctl status --json' | python3 -c 'import json,sys; print(json.load(sys.stdin)["peerId"])' || true)
  id_b=$(vm_wait_shell lan-b "$BOOT_TIMEOUT" 'phantomctl status --json' | python3 -c 'import json,sys; print(json.load(sys.stdin)["peerId"])' || true)
  if [ -z "$id_a" ] || [ -z "$id_b" ]; then
    fail "lan: a node did not answer (a='$id_a' b='$id_b')"
    return
  fi
  # No DHCP server on this LAN: each node has only an IPv4 link-local address
  # and must announce it itself (libp2p leaves 169.254/16 out).
  local ready_at listen_a
  ready_at=$(date +%s)
  if listen_a=$(vm_wait_shell lan-a 120 "phantomctl status --json | grep -o '/ip4/169\.254\.[0-9.]*/tcp/[0-9]*'"); then
    pass "lan: node A announces its link-local address ($(echo $listen_a))"
  else
    fail "lan: node A announces no link-local address: $(vm_shell lan-a 30 'phantomctl status --json; ip -o -4 addr' || true)"
  fi
  if vm_wait_shell lan-a 300 "phantomctl peers --json | grep -q '$id_b'" >/dev/null; then
    pass "lan: node A lists node B ($id_b) as a peer after $(vm_elapsed lan-a)s ($(( $(date +%s) - ready_at ))s after both nodes answered)"
  else
    fail "lan: node A does not list node B; A's peers: $(vm_shell lan-a 20 'phantomctl peers --json; ip -o addr' || true)"
  fi
  if vm_wait_shell lan-b 120 "phantomctl peers --json | grep -q '$id_a'" >/dev/null; then
    pass "lan: node B lists node A ($id_a) as a peer"
  else
    fail "lan: node B does not list node A"
  fi
  vm_stop lan-a
  vm_stop lan-b
}

test_install() {
  log "== install: unattended install to a blank disk"
  local disk=$TEST_TMP/disk.qcow2 ready_live ready install_append out
  # The installer menu entry's own command line (it has no persistence
  # option), made unattended, plus the test's root shell (the installer
  # carries it over to the installed system in unattended mode).
  install_append=$(awk '/menuentry "Install Phantom node to disk"/ {f=1} f && $1 == "linux" {$1=""; $2=""; print; exit}' "$TEST_TMP/grub.cfg")
  case "$install_append" in
    *phantom.install=ask*) ;;
    *) fail "install: no \"Install Phantom node to disk\" entry with phantom.install=ask in the ISO's grub.cfg"; return ;;
  esac
  install_append="$(printf '%s' "$install_append" | sed -e 's/findiso=[^ ]*//' -e 's#phantom\.install=ask#phantom.install=auto:/dev/vda#') systemd.debug_shell=ttyS1"
  qemu-img create -q -f qcow2 "$disk" 4G
  LIVE_APPEND=$install_append vm_start installer bios kernel \
    -drive "if=virtio,format=qcow2,file=$disk" -nic none
  if vm_wait_exit installer 1500 && grep -aq 'PHANTOM-INSTALL-DONE' "$TEST_TMP/installer/console.log"; then
    pass "install: installed and powered off after $(vm_elapsed installer)s"
  else
    fail "install: no PHANTOM-INSTALL-DONE / poweroff; console tail: $(tail -c 600 "$TEST_TMP/installer/console.log" | tr -d '\r' | tr '\n' ' ')"
    vm_stop installer
    return
  fi
  # The live configuration the installed system must run with.
  ready_live="config=$(sha256sum "$REPO_DIR/live-config/config/includes.chroot_after_packages/etc/phantom/phantom.yaml" | cut -c1-16)"
  local firmware peer_bios="" peer_uefi="" port id_live=""
  for firmware in bios uefi; do
    if [ "$firmware" = bios ]; then
      vm_start "disk-$firmware" "$firmware" disk -drive "if=virtio,format=qcow2,file=$disk" -nic user,model=virtio-net-pci
    else
      # Second boot: the installed node on a private LAN (-netdev socket, no
      # DHCP: link-local addresses) together with an amnesic live node.
      port=$(( 20000 + RANDOM % 20000 ))
      vm_start "disk-$firmware" "$firmware" disk -drive "if=virtio,format=qcow2,file=$disk" \
        -netdev "socket,id=lan,listen=127.0.0.1:$port" -device virtio-net-pci,netdev=lan,mac=52:54:00:50:01:01
      local i=0
      while [ "$i" -lt 30 ] && ! ss -Hltn "sport = :$port" | grep -q .; do sleep 1; i=$((i + 1)); done
      vm_start install-lan-live bios kernel \
        -netdev "socket,id=lan,connect=127.0.0.1:$port" -device virtio-net-pci,netdev=lan,mac=52:54:00:50:01:02
    fi
    if vm_wait_console "disk-$firmware" 'PHANTOM-NODE-READY' "$BOOT_TIMEOUT"; then
      ready=$(grep -ao 'PHANTOM-NODE-READY[^\r]*' "$TEST_TMP/disk-$firmware/console.log" | head -n 1)
      pass "install: disk boots under ${firmware^^}; node ready after $(vm_elapsed "disk-$firmware")s ($ready)"
      case "$ready" in
        *"$ready_live"*) pass "install: ${firmware^^} disk runs the live configuration ($ready_live)" ;;
        *) fail "install: configuration differs from the live system ($ready vs $ready_live)" ;;
      esac
      # the node's identity is kept on the disk: the second boot has the first one's PeerId
      # (line breaks removed first: the serial console may wrap the marker line)
      printf -v "peer_$firmware" '%s' "$(tr -d '\r\n' < "$TEST_TMP/disk-$firmware/console.log" | grep -aoE 'PHANTOM-NODE-READY [^P]*peerId=12D3KooW[1-9A-HJ-NP-Za-km-z]{44}' | grep -ao 'peerId=.*' | head -n 1)"
    else
      fail "install: disk does not boot to a ready node under ${firmware^^}; console tail: $(tail -c 600 "$TEST_TMP/disk-$firmware/console.log" | tr -d '\r' | tr '\n' ' ')"
    fi
    if [ "$firmware" = bios ]; then
      # live-boot is gone, and with it any meaning of a persistence option
      if out=$(vm_shell disk-bios 60 'grep -qw persistence /proc/cmdline && echo has-persistence; dpkg-query -W -f="\${db:Status-Status}\n" live-boot 2>/dev/null || echo not-installed; ls -d /usr/lib/live/boot 2>/dev/null; ls /etc/tmpfiles.d'); then
        case "$(echo $out)" in
          *has-persistence*|*"/usr/lib/live/boot"*|*phantom-persistence*|*" installed"*|installed*) fail "install: the installed system still carries live-boot or its persistence: $(echo $out)" ;;
          *) pass "install: the installed system boots without live-boot and without a persistence option ($(echo $out))" ;;
        esac
      else
        fail "install: no root shell on the installed system (systemd.debug_shell not carried over?)"
      fi
      vm_stop "disk-$firmware"
    fi
  done
  if [ -n "$peer_bios" ] && [ "$peer_bios" = "$peer_uefi" ]; then
    pass "install: the node keeps its identity across reboots ($peer_bios)"
  else
    fail "install: the node's identity changed between the BIOS and the UEFI boot ('$peer_bios' vs '$peer_uefi')"
  fi
  # The installed node rejoins the LAN: it finds the live node by mDNS.
  local both_at
  id_live=$(vm_wait_shell install-lan-live "$BOOT_TIMEOUT" 'phantomctl status --json' | python3 -c 'import json,sys; print(json.load(sys.stdin)["peerId"])' || true)
  if [ -n "$id_live" ] && vm_wait_shell disk-uefi 120 'phantomctl status --json' >/dev/null; then
    both_at=$(date +%s)
    if vm_wait_shell disk-uefi 300 "phantomctl peers --json | grep -q '$id_live'" >/dev/null; then
      pass "install: the installed node ($peer_uefi) lists the live node ($id_live) on the LAN $(( $(date +%s) - both_at ))s after both answered ($(vm_elapsed disk-uefi)s after its power-on)"
    else
      fail "install: the installed node does not list the live node; its peers: $(vm_shell disk-uefi 30 'phantomctl peers --json; ip -o addr' || true)"
    fi
    if vm_wait_shell install-lan-live 120 "phantomctl peers --json | grep -q '${peer_uefi#peerId=}'" >/dev/null; then
      pass "install: the live node lists the installed node"
    else
      fail "install: the live node does not list the installed node"
    fi
  else
    fail "install: on the LAN a node did not answer (live '$id_live')"
  fi
  vm_stop disk-uefi
  vm_stop install-lan-live
}

# The whole run is one function called on the script's last line: bash reads
# a script as it runs it, so editing this file while a suite runs cannot make
# the running shell execute half-read lines.
main() {
  local suite
  SUITES=("$@")
  [ ${#SUITES[@]} -gt 0 ] || SUITES=(quick lan)
  [ "${SUITES[0]}" = all ] && SUITES=(quick matrix lan install)
  log "ISO $ISO ($(du -h "$ISO" | cut -f1)), suites: ${SUITES[*]}, VM memory ${VM_MEMORY} MiB"
  extract_kernel
  for suite in "${SUITES[@]}"; do
    case "$suite" in
      quick|matrix|lan|install|secureboot|scenario|persistence|seed) "test_$suite" ;;
      *) echo "ERROR: unknown suite $suite" >&2; exit 2 ;;
    esac
  done
  log "total $(( $(date +%s) - T0 ))s"
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

main "$@"; exit $?
