/**
 * V8 flags the daemon runs with. The flags only work on the command line
 * (v8.setFlagsFromString is too late for the heap's layout), so they appear in
 * several places that must agree (tests check the first three): this list, the
 * shebang of bin/phantom-node.js, the Debian wrapper /usr/bin/phantom-node,
 * and the ISO tests' host nodes (iso-tests/seed.sh, iso-tests/scenario.sh).
 *
 * - `--max-semi-space-size=2`: Node 24 lets the young generation grow to
 *   128 MiB, which a busy DHT node fills with short-lived objects: measured on
 *   a 10-node network, idle RSS 165 MiB by default and 119 MiB with a 2 MiB
 *   semi-space (docs/benchmarks.md).
 * - `--heap-growing-percent=100`: after a full collection V8 lets the old
 *   generation grow to twice what survived, instead of the factor it picks
 *   itself. For a relay that factor was about 1.3 (a 28 MiB heap collected in
 *   full every 100–170 ms during a bulk transfer, 10–40 ms each); with 2 the
 *   12 daemons of a full connection spent 49 instead of 83 CPU seconds per
 *   GiB, carried 301 / 355 instead of 168 / 199 Mbit/s (1 / 8 streams), and
 *   peaked at the same resident memory (docs/benchmarks.md, "Session 10").
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=100']
