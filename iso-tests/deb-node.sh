# Host-side relay nodes run from the built .deb by the scenario and seed
# suites (sourced by run.sh).

# deb_relay_config DIR MDNS LISTEN [ANNOUNCE]: the phantom.yaml of a relay
# node whose state lives in DIR: the live system's settings (private
# addresses, no path diversity), no bootstrap entries, no seed files, no
# paths of its own, no TUN, resolver or SOCKS5; mdns true or false; one
# listen multiaddr and optionally one announced multiaddr.
deb_relay_config() {
  local dir=$1 mdns=$2 listen=$3 announce=${4:-}
  printf 'dataDir: %s/data\ncontrolSocket: %s/control.sock\nlisten:\n  - %s\n' "$dir" "$dir" "$listen"
  if [ -n "$announce" ]; then printf 'announce:\n  - %s\n' "$announce"; fi
  cat <<EOF
bootstrap: []
seedFiles: []
mdns: $mdns
network:
  allowPrivateAddresses: true
path:
  diversity: false
  count: {exit: 0, entry: 0}
tun: {enabled: false}
dns: {enabled: false}
socks: {enabled: false}
log: {level: info}
EOF
}
