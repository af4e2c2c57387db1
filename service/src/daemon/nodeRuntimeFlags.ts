/**
 * V8 flags the daemon runs with. Node 24 lets the young generation grow to
 * 128 MiB, which a busy DHT node fills with short-lived objects: measured on
 * a 10-node network, idle RSS 165 MiB by default and 119 MiB with a 2 MiB
 * semi-space (docs/benchmarks.md). The flag only works on the command line
 * (v8.setFlagsFromString is too late), so it appears in three places that
 * must agree (tests check all three): this list, the shebang of
 * bin/phantom-node.js, and the Debian wrapper /usr/bin/phantom-node.
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=2']
