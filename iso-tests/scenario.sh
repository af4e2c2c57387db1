# Suite "scenario" of iso-tests/run.sh (sourced by it): ordinary programs over
# Phantom between two booted ISOs on one private LAN.
#
# The LAN is a bridge inside a network namespace of its own (the "hub"): the
# host's own network namespace sees none of it, nothing is routed or NATed
# anywhere, and nothing leaves the machine. On it:
#   - two ISO VMs (A and B), QEMU run inside the hub namespace with a tap
#     device each (VM_NETNS), direct kernel boot, 1 GiB;
#   - PHANTOM_SCENARIO_NODES (default 10) nodes run from the built .deb
#     (dpkg-deb -x, its own Node.js runtime), each in its own network
#     namespace with a veth on the bridge, as relays (no paths of their own).
# No DHCP and no bootstrap entries: the VMs take IPv4 link-local addresses
# (169.254/16), the host nodes fixed ones in 169.254.250.0/24, and every node
# finds the others by mDNS alone (each with the 224.0.0.0/4 route the
# appliance's networkd file adds).
# B exposes port 8080 the way a user does: lines added to
# /etc/phantom/phantom.yaml over its root shell (ap.expose for the TUN
# interface, services for streams through SOCKS5), the service restarted,
# busybox httpd serving a page. From A's root shell: B's .phantom name
# resolves (the node's resolver on 127.0.80.53), ping -6 reaches B's AP
# address, curl fetches the page by AP address (phantom0) and by name (SOCKS5),
# and a 4 MiB file with its sha256. Both status screens (tty1, read from
# /dev/vcs1) show the AP address, peers and ready paths; a screenshot of A's
# is taken through the QEMU monitor (PHANTOM_SCENARIO_SCREENSHOT=FILE.png
# copies it there).
# Everything (daemons, VMs, namespaces, bridge, taps) is removed even on
# failure: scenario_cleanup runs from the suite's own EXIT trap, before
# run.sh's finish.

SCEN_NODES=${PHANTOM_SCENARIO_NODES:-10}
SCEN_PATH_TIMEOUT=${PHANTOM_SCENARIO_PATH_TIMEOUT:-1500}
SCEN_HTTP_PORT=8080
SCEN_CLOSED_PORT=8081
SCEN_BLOB_BYTES=4194304
SCEN_HUB=""
SCEN_NS=()
SCEN_PIDS=()
SCEN_DIR=""
SCEN_NODE=""

scenario_cleanup() {
  local pid ns deadline
  for pid in "${SCEN_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$(( $(date +%s) + 20 ))
  for pid in "${SCEN_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SCEN_PIDS=()
  vm_stop scen-a 2>/dev/null || true
  vm_stop scen-b 2>/dev/null || true
  for ns in "${SCEN_NS[@]}" ${SCEN_HUB:+"$SCEN_HUB"}; do
    # anything still inside one of our namespaces was started by this suite
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  SCEN_NS=()
  SCEN_HUB=""
}

# scen_json JSON PYTHON-EXPRESSION: evaluate the expression with s = the JSON value.
scen_json() {
  printf '%s' "$1" | python3 -c 'import json,sys; s=json.load(sys.stdin); r=eval(sys.argv[1]); print(r if r is not None else "")' "$2"
}

# scen_ctl I ARGS...: phantomctl of host node I (the .deb's own runtime and files).
scen_ctl() {
  local i=$1
  shift
  timeout 60 "$SCEN_NODE" "$SCEN_DIR/root/usr/lib/phantom-node/service/bin/phantomctl.js" --socket "$SCEN_DIR/node$i/control.sock" "$@"
}

# scen_wait TIMEOUT COMMAND...: retry a host-side command until it succeeds.
scen_wait() {
  local deadline=$(( $(date +%s) + $1 ))
  shift
  while [ "$(date +%s)" -lt "$deadline" ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 2
  done
  return 1
}

# scen_has_ip6 TEXT ADDRESS: TEXT holds ADDRESS, in any IPv6 notation.
scen_has_ip6() {
  python3 - "$1" "$2" <<'EOF'
import ipaddress, re, sys
want = ipaddress.IPv6Address(sys.argv[2])
def same(text):
    try:
        return ipaddress.IPv6Address(text) == want
    except ValueError:
        return False
sys.exit(0 if any(same(a) for a in re.findall(r"fd50:[0-9a-fA-F:]+", sys.argv[1])) else 1)
EOF
}

# scen_vm_until NAME TIMEOUT COMMAND PYTHON-CHECK [ARGS...]: run COMMAND in the
# VM's root shell until PYTHON-CHECK (a python3 -c program reading the output
# on stdin) exits 0.
scen_vm_until() {
  local name=$1 command=$3 check=$4 deadline out
  deadline=$(( $(date +%s) + $2 ))
  shift 4
  while [ "$(date +%s)" -lt "$deadline" ]; do
    vm_alive "$name" || return 1
    if out=$(vm_shell "$name" 90 "$command") && printf '%s' "$out" | python3 -c "$check" "$@" 2>/dev/null; then
      return 0
    fi
    sleep 2
  done
  return 1
}

# The LAN: hub namespace with bridge br0 and two taps; a namespace per host node.
scenario_lan() {
  local id=$1 i ns
  SCEN_HUB=phantom-scen-$id-hub
  ip netns add "$SCEN_HUB"
  ip -n "$SCEN_HUB" link set lo up
  ip -n "$SCEN_HUB" link add br0 type bridge
  ip netns exec "$SCEN_HUB" sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
  ip -n "$SCEN_HUB" link set br0 up
  for i in a b; do
    ip -n "$SCEN_HUB" tuntap add dev "tap$i" mode tap
    ip -n "$SCEN_HUB" link set "tap$i" master br0 up
  done
  for i in $(seq 0 $(( SCEN_NODES - 1 ))); do
    ns=phantom-scen-$id-$i
    ip netns add "$ns"
    SCEN_NS+=("$ns")
    ip link add eth0 netns "$ns" type veth peer name "lan$i" netns "$SCEN_HUB"
    ip -n "$SCEN_HUB" link set "lan$i" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" address add "169.254.250.$(( i + 1 ))/16" dev eth0
    ip -n "$ns" link set eth0 up
    # as the appliance's 20-wired.network: mDNS leaves through the NIC without a default route
    ip -n "$ns" route add 224.0.0.0/4 dev eth0
  done
}

# A host node: the live system's settings (listen on every IPv4 address, mdns,
# private addresses, no path diversity), no bootstrap, relay only.
scenario_start_node() {
  local i=$1 dir
  dir=$SCEN_DIR/node$1
  mkdir -p "$dir/data"
  deb_relay_config "$dir" true /ip4/0.0.0.0/tcp/4821 > "$dir/phantom.yaml"
  ip netns exec "${SCEN_NS[$i]}" "$SCEN_NODE" --max-semi-space-size=2 --heap-growing-percent=100 \
    "$SCEN_DIR/root/usr/lib/phantom-node/service/bin/phantom-node.js" --config "$dir/phantom.yaml" \
    > "$dir/node.log" 2>&1 &
  SCEN_PIDS+=($!)
}

# scenario_screen NAME: the text of the VM's tty1 (the status screen), line by line.
scenario_screen() {
  vm_shell "$1" 60 'cols=$(stty -F /dev/tty1 size | cut -d" " -f2); fold -w "$cols" /dev/vcs1 | sed "s/ *$//" | grep -v "^$"'
}

test_scenario() {
  log "== scenario: two ISOs and $SCEN_NODES .deb nodes on one private LAN, mDNS only; ping, curl over Phantom"
  local t0
  t0=$(date +%s)
  trap 'rc=$?; scenario_cleanup; (exit $rc); finish' EXIT
  scenario_run
  scenario_cleanup
  trap finish EXIT
  log "scenario: wall time $(( $(date +%s) - t0 ))s"
}

scenario_run() {
  local deb id i t_paths=0 out
  deb=$BUILD_DIR/phantom-node_${VERSION}_amd64.deb
  [ -f "$deb" ] || { fail "scenario: $deb not found (npm run package:deb)"; return; }
  [ "$(id -u)" = 0 ] || { fail "scenario: needs root (network namespaces, tap devices)"; return; }
  id=$(printf '%04x' $(( RANDOM % 65536 )))
  SCEN_DIR=$TEST_TMP/scenario
  mkdir -p "$SCEN_DIR/root"
  dpkg-deb -x "$deb" "$SCEN_DIR/root"
  SCEN_NODE=$SCEN_DIR/root/usr/lib/phantom-node/bin/node
  scenario_lan "$id"
  log "scenario: LAN $SCEN_HUB (bridge br0, taps for A and B, $SCEN_NODES node namespaces)"

  # The host nodes first (ten Node.js starts at once), then the VMs.
  for i in $(seq 0 $(( SCEN_NODES - 1 ))); do scenario_start_node "$i"; done
  local host_ids=() sa sb
  for i in $(seq 0 $(( SCEN_NODES - 1 ))); do
    if scen_wait 120 scen_ctl "$i" status --json; then
      host_ids+=("$(scen_json "$(scen_ctl "$i" status --json)" 's["peerId"]')")
    else
      fail "scenario: host node $i does not answer: $(tail -n 3 "$SCEN_DIR/node$i/node.log" | tr '\n' ' ')"
      return
    fi
  done
  pass "scenario: $SCEN_NODES nodes from the .deb answer, each in its own namespace"
  # (the kernel command line carries no_timer_check: see extract_kernel in run.sh)
  VM_NETNS=$SCEN_HUB VM_MONITOR=1 vm_start scen-a bios kernel \
    -netdev tap,id=lan,ifname=tapa,script=no,downscript=no -device virtio-net-pci,netdev=lan,mac=52:54:00:50:01:0a
  VM_NETNS=$SCEN_HUB VM_MONITOR=1 vm_start scen-b bios kernel \
    -netdev tap,id=lan,ifname=tapb,script=no,downscript=no -device virtio-net-pci,netdev=lan,mac=52:54:00:50:01:0b

  # B: expose port 8080 as a user does (configuration file, restart), serve a page.
  # (phantomctl, not the console marker: on a loaded host phantom-announce
  # may take longer than the whole boot)
  local id_b0
  if ! out=$(vm_wait_shell scen-b "$BOOT_TIMEOUT" 'phantomctl status --json') || ! id_b0=$(scen_json "$out" 's["peerId"]'); then
    fail "scenario: B's node does not answer within ${BOOT_TIMEOUT}s; console tail: $(tail -c 400 "$TEST_TMP/scen-b/console.log" | tr -d '\r' | tr '\n' ' ')"
    return
  fi
  pass "scenario: B's node answers $(vm_elapsed scen-b)s after power-on"
  if vm_wait_shell scen-b "$BOOT_TIMEOUT" "printf 'ap:\n  expose: [$SCEN_HTTP_PORT]\nservices:\n  - {port: $SCEN_HTTP_PORT, target: \"127.0.0.1:$SCEN_HTTP_PORT\"}\n' >> /etc/phantom/phantom.yaml && systemctl restart phantom-node && systemctl is-active phantom-node" >/dev/null; then
    pass "scenario: B exposes port $SCEN_HTTP_PORT (ap.expose and services in /etc/phantom/phantom.yaml, service restarted) $(vm_elapsed scen-b)s after power-on"
  else
    fail "scenario: B did not take the new configuration: $(vm_shell scen-b 30 'tail -n 5 /etc/phantom/phantom.yaml; journalctl -u phantom-node -n 5 --no-pager' || true)"
    return
  fi
  if ! sa=$(vm_wait_shell scen-a "$BOOT_TIMEOUT" 'phantomctl status --json') || ! sb=$(vm_wait_shell scen-b 300 'phantomctl status --json'); then
    fail "scenario: a VM's node does not answer"
    return
  fi
  local id_a id_b ap_a ap_b name_b t_answer
  t_answer=$(date +%s)
  id_a=$(scen_json "$sa" 's["peerId"]'); id_b=$(scen_json "$sb" 's["peerId"]')
  ap_a=$(scen_json "$sa" 's["ap"][0]["address"]'); ap_b=$(scen_json "$sb" 's["ap"][0]["address"]')
  name_b=$(scen_json "$sb" 's["ap"][0]["name"]')
  log "scenario: A $id_a $ap_a; B $id_b $ap_b $name_b"
  if [ "$id_b" = "$id_b0" ]; then
    pass "scenario: B kept its identity across the restart ($id_b)"
  else
    fail "scenario: B's PeerId changed with the restart ($id_b0 before, $id_b after)"
  fi
  vm_shell scen-b 60 "mkdir -p /srv/www && printf 'Hello from Phantom node B %s\n' '$id_b' > /srv/www/index.html && head -c $SCEN_BLOB_BYTES /dev/urandom > /srv/www/blob && busybox httpd -p $SCEN_HTTP_PORT -h /srv/www && busybox httpd -p $SCEN_CLOSED_PORT -h /srv/www" >/dev/null || true
  local blob_sha
  blob_sha=$(vm_shell scen-b 60 'sha256sum /srv/www/blob | cut -c1-64' | tr -d '\r\n ' || true)
  if out=$(vm_shell scen-b 30 "ss -ltn | grep -E ':($SCEN_HTTP_PORT|$SCEN_CLOSED_PORT) '") && [ "$(printf '%s\n' "$out" | grep -c LISTEN)" -ge 2 ]; then
    pass "scenario: B serves a page with busybox httpd on ports $SCEN_HTTP_PORT (exposed) and $SCEN_CLOSED_PORT (not exposed)"
  else
    fail "scenario: busybox httpd does not listen on B: $out"
  fi

  # mDNS alone: no bootstrap entry anywhere; the VMs list each other and every host node.
  local all_ids=("$id_a" "$id_b" "${host_ids[@]}") want=""
  for i in "${all_ids[@]}"; do want="$want $i"; done
  local check_peers='import json,sys; have={p["peerId"] for p in json.load(sys.stdin)}; want=set(sys.argv[1].split()) - {sys.argv[2]}; sys.exit(0 if want <= have else 1)'
  if scen_vm_until scen-a 600 'phantomctl peers --json' "$check_peers" "$want" "$id_a"; then
    pass "scenario: A found B and all $SCEN_NODES host nodes by mDNS alone, $(( $(date +%s) - t_answer ))s after both VMs answered"
  else
    fail "scenario: A does not list every node: $(vm_shell scen-a 60 'phantomctl peers --json' | head -c 600 || true)"
  fi
  if scen_vm_until scen-b 300 'phantomctl peers --json' "$check_peers" "$want" "$id_b"; then
    pass "scenario: B found A and all $SCEN_NODES host nodes by mDNS alone"
  else
    fail "scenario: B does not list every node: $(vm_shell scen-b 60 'phantomctl peers --json' | head -c 600 || true)"
  fi
  local lonely=0
  for i in $(seq 0 $(( SCEN_NODES - 1 ))); do
    [ "$(scen_json "$(scen_ctl "$i" status --json)" 's["peers"]')" -ge 2 ] || lonely=$((lonely + 1))
  done
  if [ "$lonely" = 0 ]; then pass "scenario: every host node has peers (mDNS)"; else fail "scenario: $lonely host nodes have fewer than 2 peers"; fi

  # Paths: A's exit paths and B's entry paths (3 hops, rings from the 12 nodes).
  local ready_path='import json,sys; s=json.load(sys.stdin); sys.exit(0 if any(p["kind"]==sys.argv[1] and p["state"]=="ready" for p in s["paths"]) else 1)'
  if scen_vm_until scen-a "$SCEN_PATH_TIMEOUT" 'phantomctl status --json' "$ready_path" exit; then
    t_paths=$(( $(date +%s) - t_answer ))
    pass "scenario: A has a ready exit path ${t_paths}s after both VMs answered ($(vm_elapsed scen-a)s after power-on)"
  else
    fail "scenario: A has no ready exit path within ${SCEN_PATH_TIMEOUT}s: $(vm_shell scen-a 60 'phantomctl status --json' | python3 -c 'import json,sys; print(json.load(sys.stdin)["paths"])' || true)"
  fi
  if scen_vm_until scen-b "$SCEN_PATH_TIMEOUT" 'phantomctl status --json' "$ready_path" entry; then
    pass "scenario: B has a ready entry path $(( $(date +%s) - t_answer ))s after both VMs answered"
  else
    fail "scenario: B has no ready entry path within ${SCEN_PATH_TIMEOUT}s: $(vm_shell scen-b 60 'phantomctl status --json' | python3 -c 'import json,sys; print(json.load(sys.stdin)["paths"])' || true)"
  fi

  # From A's console: name, ping, curl.
  if out=$(vm_shell scen-a 60 "busybox nslookup -type=AAAA $name_b 127.0.80.53") && scen_has_ip6 "$out" "$ap_b"; then
    pass "scenario: on A, B's name $name_b resolves to $ap_b (busybox nslookup at the node's resolver 127.0.80.53)"
  else
    fail "scenario: on A, B's name does not resolve: $out"
  fi
  if out=$(vm_shell scen-a 60 "phantomctl resolve $name_b") && scen_has_ip6 "$out" "$ap_b"; then
    pass "scenario: on A, phantomctl resolve $name_b answers B's AP address"
  else
    fail "scenario: phantomctl resolve on A: $out"
  fi
  local t0 t1
  t0=$(date +%s)
  if out=$(vm_wait_shell scen-a 600 "ping -6 -c 3 -W 30 $ap_b") && printf '%s' "$out" | grep -q ' 3 received'; then
    t1=$(date +%s)
    out=$(vm_shell scen-a 120 "ping -6 -c 5 -W 30 $ap_b" || true)
    pass "scenario: on A, ping -6 reaches B's AP address (first answer of 3 after $(( t1 - t0 ))s; then: $(printf '%s\n' "$out" | grep -E 'received|rtt' | tr '\n' ' '))"
  else
    fail "scenario: on A, ping -6 $ap_b: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
  fi
  if out=$(vm_wait_shell scen-a 300 "curl -sS -g --max-time 120 -w '\n%{time_total}' http://[$ap_b]:$SCEN_HTTP_PORT/") \
     && printf '%s' "$out" | grep -q "Hello from Phantom node B $id_b"; then
    pass "scenario: on A, curl http://[$ap_b]:$SCEN_HTTP_PORT/ fetches B's page through phantom0 in $(printf '%s' "$out" | tail -n 1)s"
  else
    fail "scenario: on A, curl by AP address: $out"
  fi
  if out=$(vm_wait_shell scen-a 300 "curl -sS --max-time 120 --socks5-hostname 127.0.0.1:9080 -w '\n%{time_total}' http://$name_b:$SCEN_HTTP_PORT/") \
     && printf '%s' "$out" | grep -q "Hello from Phantom node B $id_b"; then
    pass "scenario: on A, curl --socks5-hostname fetches B's page by its .phantom name in $(printf '%s' "$out" | tail -n 1)s"
  else
    fail "scenario: on A, curl by name through SOCKS5: $out"
  fi
  if out=$(vm_shell scen-a 400 "curl -sS -g --max-time 360 -o /tmp/blob -w '%{size_download} %{time_total} %{speed_download}\n' http://[$ap_b]:$SCEN_HTTP_PORT/blob && sha256sum /tmp/blob | cut -c1-64") \
     && [ -n "$blob_sha" ] && printf '%s' "$out" | grep -q "$blob_sha"; then
    local size time speed
    read -r size time speed <<< "$(printf '%s\n' "$out" | head -n 1)"
    pass "scenario: on A, curl fetches B's $size-byte file by AP address, sha256 equal: ${time}s, $(python3 -c "print(f'{float(\"$speed\")*8/1e6:.2f}')") Mbit/s"
  else
    fail "scenario: 4 MiB file by AP address: $out (B's sha256 $blob_sha)"
  fi
  if vm_shell scen-a 60 "curl -sS -g --max-time 15 -o /dev/null http://[$ap_b]:$SCEN_CLOSED_PORT/" >/dev/null; then
    fail "scenario: B's port $SCEN_CLOSED_PORT answered although it is not in ap.expose"
  else
    pass "scenario: B's port $SCEN_CLOSED_PORT (listening, not exposed) cannot be reached from A"
  fi

  # Status of both: AP address, peers, ready paths (JSON and the tty1 screen).
  local name status screen
  for name in scen-a scen-b; do
    status=$(vm_shell "$name" 90 'phantomctl status --json' || true)
    if [ -n "$status" ] && scen_json "$status" 'len(s["ap"]) > 0 and s["peers"] > 0 and any(p["state"] == "ready" for p in s["paths"]) or None' | grep -q True; then
      pass "scenario: ${name#scen-}: status --json shows AP address $(scen_json "$status" 's["ap"][0]["address"]'), $(scen_json "$status" 's["peers"]') peers, paths $(scen_json "$status" '" ".join(p["kind"] + ":" + p["state"] for p in s["paths"])')"
    else
      fail "scenario: ${name#scen-}: status --json lacks AP address, peers or ready paths: $(printf '%s' "$status" | head -c 400)"
    fi
    screen=$(scenario_screen "$name" || true)
    status=$(scen_json "$status" 's["ap"][0]["address"]' 2>/dev/null || true)
    if [ -n "$status" ] && printf '%s' "$screen" | grep -q "$status" && printf '%s' "$screen" | grep -Eq '(exit|entry): [1-9][0-9]* ready' \
       && printf '%s' "$screen" | grep -Eq 'Connected peers.* [1-9][0-9]*'; then
      pass "scenario: ${name#scen-}: the tty1 status screen shows the AP address, connected peers and ready paths"
    else
      fail "scenario: ${name#scen-}: tty1 status screen: $(printf '%s' "$screen" | head -c 1500)"
    fi
  done
  local shot=$TEST_TMP/status-screen-a.png
  if vm_screendump scen-a "$shot"; then
    pass "scenario: screenshot of A's status screen ($(stat -c %s "$shot") bytes)"
    if [ -n "${PHANTOM_SCENARIO_SCREENSHOT:-}" ]; then cp "$shot" "$PHANTOM_SCENARIO_SCREENSHOT"; fi
  else
    fail "scenario: no screenshot through the QEMU monitor"
  fi
  log "scenario: memory of the host nodes: $(for i in $(seq 0 $(( SCEN_NODES - 1 ))); do scen_json "$(scen_ctl "$i" status --json)" 's["memory"]["rssMiB"]'; done | tr '\n' ' ')MiB"
}
