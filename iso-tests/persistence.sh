# ISO test suite `persistence` (sourced by run.sh; uses its log/pass/fail,
# qemu.sh's vm_* helpers, $ISO, $KERNEL, $INITRD, $TEST_TMP, $LIVE_APPEND and
# $TEST_TMP/grub.cfg, all set by extract_kernel).
#
# The boot menu's "Phantom node" entry carries live-boot's persistence
# options (persistence persistence-label=phantom-persist
# persistence-storage=filesystem); "Install Phantom node to disk" does not.
# Direct kernel boot with that entry's own command line ($LIVE_APPEND, read
# from the ISO's grub.cfg) and the ISO as CD; four boots, two VMs at a time:
#   with     a second disk with a GPT partition holding an ext4 file system
#            labelled phantom-persist and persistence.conf
#            ("/var/lib/phantom" and "/etc/phantom union"), made on the host
#            with sfdisk and mkfs.ext4 -d (no loop device, no mount). Boot,
#            edit /etc/phantom/phantom.yaml, power off, boot again: same
#            PeerId, same AP address, the edit still there, owners and modes
#            of /var/lib/phantom and /etc/phantom as the package sets them.
#   without  the CD only: boot twice, another PeerId and AP address each
#            time.
# Neither prints a persistence error on the console. Logs for every boot the
# time from the kernel's start to systemd's (the initramfs, where live-boot
# looks for persistence, included).
#
# Not covered, because not supported: a persistence partition on the stick
# the ISO was written to. This GRUB hybrid image, written to a stick, is
# mounted from the whole device (none of its GPT partitions holds the ISO 9660
# file system), and live-boot skips every partition of the medium's device
# (the kernel would refuse to mount one anyway: the mounted ISO claims the
# whole device). It needs an image whose ISO 9660 file system also sits in
# partition 1 (xorriso -partition_offset 16, as isohybrid images have).

PERSISTENCE_LABEL=phantom-persist

# persistence_fs FILE: ext4 labelled phantom-persist with persistence.conf in
# FILE's last partition (mkfs.ext4 -d at that partition's offset).
persistence_fs() {
  local file=$1 dir=$TEST_TMP/persistence-root part
  mkdir -p "$dir"
  printf '/var/lib/phantom\n/etc/phantom union\n' > "$dir/persistence.conf"
  part=$(sfdisk -J "$file" | python3 -c 'import json,sys; p=json.load(sys.stdin)["partitiontable"]["partitions"][-1]; print(p["start"], p["size"])')
  mkfs.ext4 -q -F -L "$PERSISTENCE_LABEL" -d "$dir" -E offset=$(( ${part% *} * 512 )) "$file" "$(( ${part#* } / 2 ))k"
}

# persistence_disk FILE: 64 MiB disk, GPT, one Linux partition.
persistence_disk() {
  local file=$1
  truncate -s 64M "$file"
  printf 'label: gpt\n,,L\n' | sfdisk -q "$file" >/dev/null 2>&1
  persistence_fs "$file"
}

# persistence_boot NAME [FILE]: direct kernel boot with the menu entry's
# command line and the ISO as CD, FILE as a second disk if given.
persistence_boot() {
  local name=$1 file=${2:-}
  if [ -n "$file" ]; then
    vm_start "$name" bios kernel -drive "if=virtio,format=raw,file=$file" -nic user,model=virtio-net-pci
  else
    vm_start "$name" bios kernel -nic user,model=virtio-net-pci
  fi
}

# persistence_identity NAME: "PEERID AP" once phantomctl status --json answers.
persistence_identity() {
  vm_wait_shell "$1" "$BOOT_TIMEOUT" 'phantomctl status --json' \
    | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["peerId"], s["ap"][0]["address"])' 2>/dev/null
}

# persistence_kernel_time NAME: seconds from the kernel's start to systemd's.
persistence_kernel_time() {
  local us
  us=$(vm_shell "$1" 60 'systemctl show -p UserspaceTimestampMonotonic --value' 2>/dev/null) || { echo '?'; return; }
  us=${us//[!0-9]/}
  if [ -n "$us" ]; then awk -v us="$us" 'BEGIN { printf "%.1f", us / 1000000 }'; else echo '?'; fi
}

# persistence_mounts NAME: what backs /var/lib/phantom and /etc/phantom, and
# their owners and modes, on one line.
persistence_mounts() {
  vm_shell "$1" 60 'src=$(findmnt -rn -o SOURCE --target /var/lib/phantom | sed "s/\[.*//"); echo "$(findmnt -rn -o FSTYPE --target /var/lib/phantom) label=$(blkid -s LABEL -o value "$src") etc=$(findmnt -rn -o FSTYPE /etc/phantom)"; stat -c "%U:%G:%a" /var/lib/phantom /var/lib/phantom/identity.key /var/lib/phantom/ap-identity.key /etc/phantom /etc/phantom/phantom.yaml' \
    | tr '\n' ' ' | sed 's/ *$//'
}

# persistence_poweroff NAME: what the node wrote is flushed first (sync: a
# shutdown that overruns its wait on a loaded machine must not lose it), then
# a clean shutdown (the persistent file system is unmounted) and QEMU exits
# (-no-reboot); stopped if it does not within 600 s.
persistence_poweroff() {
  vm_shell "$1" 300 'sync' >/dev/null 2>&1 || log "persistence: sync in $1 did not answer"
  vm_shell "$1" 30 'systemctl poweroff' >/dev/null 2>&1 || true
  vm_wait_exit "$1" 600 || { log "persistence: $1 did not power off within 600 s, stopped"; vm_stop "$1"; }
}

test_persistence() {
  log "== persistence: a partition labelled $PERSISTENCE_LABEL keeps the node's identity; without one every boot is a new node"
  local tool
  for tool in sfdisk mkfs.ext4; do
    command -v "$tool" >/dev/null || { fail "persistence: missing host tool $tool (Debian packages fdisk, e2fsprogs)"; return; }
  done
  # The menu entries themselves carry (or not) the persistence options.
  local install_append
  install_append=$(awk '/menuentry "Install Phantom node to disk"/ {f=1} f && $1 == "linux" {$1=""; $2=""; print; exit}' "$TEST_TMP/grub.cfg")
  local word options=""
  for word in $LIVE_APPEND; do
    case "$word" in
      persistence|persistence-label=*|persistence-storage=*) options+="$word " ;;
    esac
  done
  if [ "$options" = "persistence persistence-label=$PERSISTENCE_LABEL persistence-storage=filesystem " ]; then
    pass "persistence: the \"Phantom node\" entry carries $options"
  else
    fail "persistence: the \"Phantom node\" entry lacks the persistence options: $LIVE_APPEND"
    return
  fi
  if [ -n "$install_append" ] && ! grep -qw persistence <<< "$install_append"; then
    pass "persistence: the installer entry has no persistence option"
  else
    fail "persistence: installer entry: '$install_append'"
  fi

  local disk=$TEST_TMP/persistence-disk.raw
  if ! persistence_disk "$disk"; then
    fail "persistence: cannot make the persistence disk"
    return
  fi
  local expected="ext4 label=$PERSISTENCE_LABEL etc=overlay phantom:phantom:750 phantom:phantom:600 phantom:phantom:600 root:phantom:750 root:phantom:640"
  local with1 with2 without1 without2 boot out
  local -A ktime
  # First boots: with the persistence disk, and without, side by side.
  persistence_boot pers-with-1 "$disk"
  persistence_boot pers-without-1
  with1=$(persistence_identity pers-with-1 || true)
  without1=$(persistence_identity pers-without-1 || true)
  log "persistence: first boots answered after $(vm_elapsed pers-with-1)s (with) / $(vm_elapsed pers-without-1)s (without): '$with1' / '$without1'"
  for boot in pers-with-1 pers-without-1; do ktime[$boot]=$(persistence_kernel_time "$boot"); done
  if [ -n "$with1" ]; then
    out=$(persistence_mounts pers-with-1 || true)
    if [ "$out" = "$expected" ]; then
      pass "persistence: /var/lib/phantom is on the $PERSISTENCE_LABEL partition, /etc/phantom a union with it, owners and modes as the package sets them"
    else
      fail "persistence: mounts or owners not as expected: '$out' (expected '$expected')"
    fi
    vm_shell pers-with-1 30 'echo "# kept by the persistence partition" >> /etc/phantom/phantom.yaml' >/dev/null 2>&1 || true
  else
    fail "persistence: the node with the persistence disk did not answer; console tail: $(tail -c 400 "$TEST_TMP/pers-with-1/console.log" | tr -d '\r' | tr '\n' ' ')"
  fi
  persistence_poweroff pers-with-1
  vm_stop pers-without-1

  # Second boots.
  persistence_boot pers-with-2 "$disk"
  persistence_boot pers-without-2
  with2=$(persistence_identity pers-with-2 || true)
  without2=$(persistence_identity pers-without-2 || true)
  log "persistence: second boots answered after $(vm_elapsed pers-with-2)s (with) / $(vm_elapsed pers-without-2)s (without): '$with2' / '$without2'"
  for boot in pers-with-2 pers-without-2; do ktime[$boot]=$(persistence_kernel_time "$boot"); done
  if [ -n "$with1" ] && [ "$with1" = "$with2" ]; then
    pass "persistence: with the partition the node keeps its PeerId and AP address across a reboot ($with2)"
  else
    fail "persistence: with the partition the identity changed ('$with1' then '$with2')"
  fi
  if out=$(vm_shell pers-with-2 60 'grep -c "^# kept by the persistence partition" /etc/phantom/phantom.yaml && systemctl is-active phantom-node'); then
    pass "persistence: the edit of /etc/phantom/phantom.yaml survives the reboot and the node runs with it"
  else
    fail "persistence: the edit of phantom.yaml was lost or the node is not active: $(echo $out)"
  fi
  if [ -n "$without1" ] && [ -n "$without2" ] \
     && [ "${without1%% *}" != "${without2%% *}" ] && [ "${without1##* }" != "${without2##* }" ]; then
    pass "persistence: without a partition every boot is a new node (PeerId and AP address differ: '$without1' then '$without2')"
  else
    fail "persistence: without a partition the identity did not change ('$without1' then '$without2')"
  fi
  local errors=""
  # Without a partition live-boot 1:20250225 prints "/init: line N: can't open
  # /tmp/custom_mounts.list" (no list was written; harmless, the boot goes on):
  # only a boot with a partition must be free of custom_mounts messages.
  for boot in pers-with-1 pers-with-2; do
    errors+=$(tr -d '\r' < "$TEST_TMP/$boot/console.log" \
      | grep -a -e custom_mounts -e 'Skipping custom mount' -e 'Kernel panic' -e "can't open" | head -n 2 | tr '\n' ' ' || true)
  done
  for boot in pers-without-1 pers-without-2; do
    errors+=$(tr -d '\r' < "$TEST_TMP/$boot/console.log" \
      | grep -a -e 'Skipping custom mount' -e 'Kernel panic' | head -n 2 | tr '\n' ' ' || true)
  done
  if [ -z "$errors" ]; then
    pass "persistence: no persistence error on the consoles (with and without a partition)"
  else
    fail "persistence: errors on the console: $errors"
  fi
  vm_stop pers-with-2
  vm_stop pers-without-2
  log "persistence: kernel start -> systemd start (initramfs, persistence lookup included): with the partition ${ktime[pers-with-1]:-?}s, ${ktime[pers-with-2]:-?}s; without ${ktime[pers-without-1]:-?}s, ${ktime[pers-without-2]:-?}s"
}
