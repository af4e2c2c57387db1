# Suite "seed" of iso-tests/run.sh (sourced by it): a booted ISO with no mDNS
# neighbour and no bootstrap entries joins the network through a seed file on
# a second small disk labelled PHANTOMSEED, and one on the boot medium.
#
# On the host, one node runs from the built .deb (dpkg-deb -x, its own Node.js
# runtime) in a network namespace of its own that has nothing but loopback
# (so it can reach nothing else either), listening on 127.0.0.1 there and
# announcing the address the VM reaches it at;
# `phantomctl peers export` on it writes the seed file, which goes (with one
# bad line added) onto a vfat image labelled PHANTOMSEED (mkfs.vfat, mcopy:
# no mount on the host). The ISO is remastered the way the documentation says
# (xorriso, boot records replayed) with a phantom/seeds.txt naming the host
# node at a second address. The VM boots it (direct kernel boot) with the vfat
# image as a virtio disk and QEMU user networking with restrict=on: the guest
# reaches nothing but 10.0.2.100 ports 4821 and 4822 (guestfwd), which QEMU
# hands to `nc 127.0.0.1 PORT` run in the node's namespace, one per connection.
# Nothing leaves the machine, and no other node is on the VM's network.
# Checked: phantom-seed.service gathered both files into
# /run/phantom-seed/seeds.txt and left nothing mounted; the VM's node lists the
# host node as a peer, and the host node the VM's; the node logged the bad
# line with file and line.
# The host node is stopped even on failure (seed_cleanup from the suite's own
# EXIT trap, before run.sh's finish).

SEED_PID=""
SEED_NS=""
SEED_DIR=""
SEED_NODE=""
SEED_GUEST_ADDR=10.0.2.100
SEED_GUEST_PORT=4821
SEED_MEDIUM_PORT=4822

seed_cleanup() {
  local deadline pid
  if [ -n "$SEED_PID" ]; then
    kill -TERM "$SEED_PID" 2>/dev/null || true
    deadline=$(( $(date +%s) + 20 ))
    while kill -0 "$SEED_PID" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    kill -KILL "$SEED_PID" 2>/dev/null || true
    wait "$SEED_PID" 2>/dev/null || true
    SEED_PID=""
  fi
  vm_stop seed 2>/dev/null || true
  if [ -n "$SEED_NS" ]; then
    # anything still inside the namespace (an nc of a guestfwd) was started by this suite
    for pid in $(ip netns pids "$SEED_NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$SEED_NS" 2>/dev/null || true
    SEED_NS=""
  fi
}

# seed_ctl ARGS...: phantomctl of the host node (the .deb's own runtime and files).
seed_ctl() {
  timeout 60 "$SEED_NODE" "$SEED_DIR/root/usr/lib/phantom-node/service/bin/phantomctl.js" --socket "$SEED_DIR/node/control.sock" "$@"
}

test_seed() {
  log "== seed: a node without mDNS neighbours joins through a seed file on a disk labelled PHANTOMSEED"
  trap 'rc=$?; seed_cleanup; (exit $rc); finish' EXIT
  seed_run
  seed_cleanup
  trap finish EXIT
}

seed_run() {
  local deb port host_id vm_id out i fwd
  deb=$BUILD_DIR/phantom-node_${VERSION}_amd64.deb
  [ -f "$deb" ] || { fail "seed: $deb not found (npm run package:deb)"; return; }
  [ "$(id -u)" = 0 ] || { fail "seed: needs root (a network namespace for the host node)"; return; }
  for tool in mkfs.vfat mcopy nc; do
    command -v "$tool" >/dev/null || { fail "seed: missing host tool $tool (dosfstools, mtools, netcat)"; return; }
  done
  SEED_DIR=$TEST_TMP/seed
  mkdir -p "$SEED_DIR/root" "$SEED_DIR/node/data"
  dpkg-deb -x "$deb" "$SEED_DIR/root"
  SEED_NODE=$SEED_DIR/root/usr/lib/phantom-node/bin/node
  port=$(( 20000 + RANDOM % 20000 ))
  deb_relay_config "$SEED_DIR/node" false "/ip4/127.0.0.1/tcp/$port" "/ip4/$SEED_GUEST_ADDR/tcp/$SEED_GUEST_PORT" > "$SEED_DIR/node/phantom.yaml"
  SEED_NS=phantom-seed-$$-$(( RANDOM % 65536 ))
  ip netns add "$SEED_NS" && ip -n "$SEED_NS" link set lo up || { fail "seed: cannot create network namespace $SEED_NS"; return; }
  # (ip netns exec execs the node in place: $! is the node's pid)
  ip netns exec "$SEED_NS" "$SEED_NODE" --max-semi-space-size=2 --heap-growing-percent=100 "$SEED_DIR/root/usr/lib/phantom-node/service/bin/phantom-node.js" \
    --config "$SEED_DIR/node/phantom.yaml" > "$SEED_DIR/node/node.log" 2>&1 &
  SEED_PID=$!
  host_id=""
  for i in $(seq 1 60); do
    if out=$(seed_ctl status --json 2>/dev/null); then
      host_id=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peerId"])')
      break
    fi
    sleep 2
  done
  [ -n "$host_id" ] || { fail "seed: the host node does not answer: $(tail -n 3 "$SEED_DIR/node/node.log" | tr '\n' ' ')"; return; }

  # the seed file as a user makes it: phantomctl peers export on a node the VM can reach
  if seed_ctl peers export "$SEED_DIR/seeds.txt" >/dev/null \
     && grep -qx "/ip4/$SEED_GUEST_ADDR/tcp/$SEED_GUEST_PORT/p2p/$host_id" "$SEED_DIR/seeds.txt"; then
    pass "seed: phantomctl peers export on the host node wrote its announced address ($(grep -c /p2p/ "$SEED_DIR/seeds.txt") lines)"
  else
    fail "seed: peers export did not write /ip4/$SEED_GUEST_ADDR/tcp/$SEED_GUEST_PORT/p2p/$host_id: $(cat "$SEED_DIR/seeds.txt" 2>/dev/null | tr '\n' ' ')"
    return
  fi
  echo 'not-a-seed-address' >> "$SEED_DIR/seeds.txt"
  rm -f "$SEED_DIR/seed.img"
  mkfs.vfat -n PHANTOMSEED -C "$SEED_DIR/seed.img" 2048 >/dev/null \
    && mcopy -i "$SEED_DIR/seed.img" "$SEED_DIR/seeds.txt" ::/seeds.txt \
    || { fail "seed: could not make the PHANTOMSEED disk image"; return; }

  # the boot medium's seed file: a remastered ISO (only the direct kernel boot's CD is this image)
  local medium_entry=/ip4/$SEED_GUEST_ADDR/tcp/$SEED_MEDIUM_PORT/p2p/$host_id
  printf '# on the boot medium\n%s\n' "$medium_entry" > "$SEED_DIR/medium-seeds.txt"
  xorriso -indev "$ISO" -outdev "$SEED_DIR/remastered.iso" -map "$SEED_DIR/medium-seeds.txt" /phantom/seeds.txt \
    -boot_image any replay >/dev/null 2>&1 \
    || { fail "seed: could not remaster the ISO with /phantom/seeds.txt"; return; }

  fwd="cmd:ip netns exec $SEED_NS nc 127.0.0.1 $port"
  ISO=$SEED_DIR/remastered.iso vm_start seed bios kernel -drive "if=virtio,format=raw,file=$SEED_DIR/seed.img" \
    -nic "user,model=virtio-net-pci,restrict=on,guestfwd=tcp:$SEED_GUEST_ADDR:$SEED_GUEST_PORT-$fwd,guestfwd=tcp:$SEED_GUEST_ADDR:$SEED_MEDIUM_PORT-$fwd"
  if out=$(vm_wait_shell seed "$BOOT_TIMEOUT" 'systemctl is-active phantom-node'); then
    pass "seed: phantom-node.service active after $(vm_elapsed seed)s"
  else
    fail "seed: phantom-node.service not active ($out)"
    return
  fi
  if out=$(vm_shell seed 60 "systemctl is-active phantom-seed && grep -qx '# from /run/live/medium/phantom/seeds.txt' /run/phantom-seed/seeds.txt && grep -qx '$medium_entry' /run/phantom-seed/seeds.txt && grep -q '^# from /dev/.*:/seeds.txt\$' /run/phantom-seed/seeds.txt && grep -qx '/ip4/$SEED_GUEST_ADDR/tcp/$SEED_GUEST_PORT/p2p/$host_id' /run/phantom-seed/seeds.txt && ! grep -q phantom-seed-mnt /proc/mounts && journalctl -b -u phantom-seed -o cat | grep 'phantom-seed:'"); then
    pass "seed: phantom-seed.service gathered the boot medium's and the disk's seeds.txt into /run/phantom-seed/seeds.txt and unmounted the disk ($(echo $out))"
  else
    fail "seed: /run/phantom-seed/seeds.txt not written: $(echo $out) $(vm_shell seed 30 'journalctl -b -u phantom-seed -o cat; blkid' || true)"
  fi
  if vm_wait_shell seed 300 "phantomctl peers --json | grep -q '$host_id'" >/dev/null; then
    pass "seed: the VM's node lists the host node ($host_id) as a peer after $(vm_elapsed seed)s"
  else
    fail "seed: the VM's node does not list the host node; its peers: $(vm_shell seed 30 'phantomctl peers --json; journalctl -b -u phantom-node -o cat | grep -i seed' || true)"
  fi
  # (one phantomctl call in a VM on a loaded host may take minutes)
  vm_id=$(vm_wait_shell seed 600 'phantomctl status --json' | python3 -c 'import json,sys; print(json.load(sys.stdin)["peerId"])' 2>/dev/null || true)
  for i in $(seq 1 30); do
    [ -n "$vm_id" ] && seed_ctl peers --json 2>/dev/null | grep -q "$vm_id" && break
    sleep 2
  done
  if [ -n "$vm_id" ] && seed_ctl peers --json | grep -q "$vm_id"; then
    pass "seed: the host node lists the VM's node ($vm_id)"
  else
    fail "seed: the host node does not list the VM's node ('$vm_id'): $(seed_ctl peers --json || true)"
  fi
  # (its line number in the gathered file, after the medium's part and a "# from DEVICE" line)
  if out=$(vm_shell seed 60 'n=$(grep -n "^not-a-seed-address$" /run/phantom-seed/seeds.txt | cut -d: -f1) && journalctl -b -u phantom-node -o cat | grep -F "/run/phantom-seed/seeds.txt:$n: expected a multiaddr ending in /p2p/"'); then
    pass "seed: the bad line was skipped with a warning naming file and line"
  else
    fail "seed: no warning for the bad line of the seed file: $(vm_shell seed 30 'journalctl -b -u phantom-node -o cat | grep -i seed' || true)"
  fi
  vm_stop seed
}
