# QEMU helpers for the ISO tests (sourced). Software emulation only
# (-accel tcg: KVM crashes on the development machines) with one vCPU, the
# guest's ttyS0 console goes to a file, ttyS1 (a root shell when the kernel
# command line holds systemd.debug_shell=ttyS1) to a unix socket.
# Every VM started here is killed and its files removed by vm_cleanup_all.

ISO_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
# Secure Boot: OVMF built with SMM and Secure Boot, variables with Microsoft's
# keys enrolled and Secure Boot on (Debian's ovmf package).
OVMF_SB_CODE=${OVMF_SB_CODE:-/usr/share/OVMF/OVMF_CODE_4M.secboot.fd}
OVMF_SB_VARS=${OVMF_SB_VARS:-/usr/share/OVMF/OVMF_VARS_4M.ms.fd}
VM_MEMORY=${PHANTOM_VM_MEMORY:-1024}
VM_PIDS=()

# vm_start NAME FIRMWARE(bios|uefi|uefi-sb) MEDIA(cd|usb|kernel|disk) [extra qemu args...]
# Creates $TEST_TMP/NAME/{console.log,shell.sock}; records the start time.
# Optional, from the environment: VM_MONITOR=1 gives the VM a QEMU monitor on
# $TEST_TMP/NAME/monitor.sock (for vm_screendump of its VGA screen: tty1);
# VM_NETNS=NS runs QEMU inside network namespace NS (tap devices there).
vm_start() {
  local name=$1 firmware=$2 media=$3
  shift 3
  local dir=$TEST_TMP/$name
  mkdir -p "$dir"
  # One vCPU: with two, multi-threaded TCG lets one vCPU run code the other
  # has just patched (Debian 13's kernel 6.12.117 patches itself at boot),
  # and the guest dies with "Oops: int3" in about one boot in four.
  local args=(-name "$name" -accel tcg -machine q35 -smp 1 -m "$VM_MEMORY"
    -display none -no-reboot
    -serial "file:$dir/console.log"
    -serial "unix:$dir/shell.sock,server=on,wait=off"
    -pidfile "$dir/qemu.pid")
  if [ -n "${VM_MONITOR:-}" ]; then
    args+=(-monitor "unix:$dir/monitor.sock,server=on,wait=off")
  else
    args+=(-monitor none)
  fi
  if [ "$firmware" = uefi ]; then
    cp "$OVMF_VARS" "$dir/OVMF_VARS.fd"
    args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
      -drive "if=pflash,format=raw,unit=1,file=$dir/OVMF_VARS.fd")
  elif [ "$firmware" = uefi-sb ]; then
    cp "$OVMF_SB_VARS" "$dir/OVMF_VARS.fd"
    args+=(-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on
      -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_SB_CODE"
      -drive "if=pflash,format=raw,unit=1,file=$dir/OVMF_VARS.fd")
  fi
  case "$media" in
    cd) args+=(-drive "if=none,id=cd0,media=cdrom,format=raw,readonly=on,file=$ISO"
          -device "ide-cd,drive=cd0,bootindex=0") ;;
    usb) args+=(-drive "if=none,id=usb0,format=raw,readonly=on,file=$ISO"
          -device qemu-xhci -device "usb-storage,drive=usb0,removable=on,bootindex=0") ;;
    kernel) args+=(-kernel "$KERNEL" -initrd "$INITRD"
          -append "$LIVE_APPEND ${VM_APPEND:-}"
          -drive "if=none,id=cd0,media=cdrom,format=raw,readonly=on,file=$ISO"
          -device "ide-cd,drive=cd0") ;;
    disk) ;;
    *) echo "vm_start: unknown media $media" >&2; return 2 ;;
  esac
  date +%s > "$dir/started"
  # (ip netns exec execs QEMU in place: $! stays QEMU's pid)
  ${VM_NETNS:+ip netns exec "$VM_NETNS"} qemu-system-x86_64 "${args[@]}" "$@" > "$dir/qemu.log" 2>&1 &
  VM_PIDS+=($!)
  echo $! > "$dir/pid"
}

vm_pid() { cat "$TEST_TMP/$1/pid"; }

vm_alive() { kill -0 "$(vm_pid "$1")" 2>/dev/null; }

vm_stop() {
  local pid
  pid=$(vm_pid "$1" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

vm_cleanup_all() {
  local pid
  for pid in "${VM_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${VM_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  VM_PIDS=()
}

# vm_wait_console NAME REGEX TIMEOUT: wait until the serial console shows REGEX.
vm_wait_console() {
  local name=$1 regex=$2 timeout=$3 deadline
  deadline=$(( $(date +%s) + timeout ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if grep -aqE "$regex" "$TEST_TMP/$name/console.log" 2>/dev/null; then return 0; fi
    vm_alive "$name" || { grep -aqE "$regex" "$TEST_TMP/$name/console.log" 2>/dev/null; return; }
    sleep 1
  done
  return 1
}

# vm_shell NAME TIMEOUT COMMAND: run COMMAND in the guest's root shell.
vm_shell() {
  python3 "$ISO_TESTS_DIR/serialShell.py" "$TEST_TMP/$1/shell.sock" "$2" "$3"
}

# vm_wait_shell NAME TIMEOUT COMMAND: retry COMMAND until it succeeds. Each try
# may take up to 90 s: under software emulation with two VMs on two host cores
# one phantomctl call (a whole Node.js start) takes well over 15 s, and a try
# that gives up too early leaves its command running and slows the next one.
vm_wait_shell() {
  local name=$1 timeout=$2 command=$3 deadline out
  deadline=$(( $(date +%s) + timeout ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    vm_alive "$name" || return 1
    if out=$(vm_shell "$name" 90 "$command"); then
      printf '%s' "$out"
      return 0
    fi
    sleep 2
  done
  return 1
}

# vm_wait_exit NAME TIMEOUT: wait until QEMU exits (guest powered off).
vm_wait_exit() {
  local name=$1 timeout=$2 deadline
  deadline=$(( $(date +%s) + timeout ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    vm_alive "$name" || return 0
    sleep 2
  done
  return 1
}

# vm_screendump NAME FILE.png: the VM's screen (VGA: tty1) as PNG, through
# its monitor (needs VM_MONITOR=1 at vm_start).
vm_screendump() {
  python3 "$ISO_TESTS_DIR/qemuMonitor.py" "$TEST_TMP/$1/monitor.sock" 30 "screendump $2 -f png" >/dev/null && [ -s "$2" ]
}

vm_elapsed() { echo $(( $(date +%s) - $(cat "$TEST_TMP/$1/started") )); }
