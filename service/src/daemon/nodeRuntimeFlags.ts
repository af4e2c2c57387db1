/**
 * V8 flags the daemon runs with. They are given on the command line (the
 * semi-space size only works there: v8.setFlagsFromString is too late for the
 * heap's layout), so they appear in several places that must agree, and tests
 * check that they do: this list, the shebang of bin/phantom-node.js, the
 * Debian wrapper /usr/bin/phantom-node, and the ISO tests' host nodes
 * (iso-tests/seed.sh, iso-tests/scenario.sh).
 *
 * - `--max-semi-space-size=2`: Node 24 lets the young generation grow to
 *   128 MiB, which a busy DHT node fills with short-lived objects: measured on
 *   a 10-node network, idle RSS 165 MiB by default and 119 MiB with a 2 MiB
 *   semi-space (docs/benchmarks.md).
 * - `--heap-growing-percent=100`: after a full collection V8 lets the heap's
 *   limits grow to twice what survived, instead of by a factor it picks
 *   itself. With V8's own factor a relay collected its whole 28 MiB heap every
 *   100–300 ms during a bulk transfer (4–27 ms each, plus incremental steps);
 *   with 2, the 12 daemons of a full connection spent 57 instead of 83 CPU
 *   seconds per GiB and carried 251 / 328 instead of 177 / 199 Mbit/s (1 / 8
 *   streams; medians of 7 alternated runs), at a peak resident memory 9 MiB
 *   higher at the median, inside the spread (docs/benchmarks.md, "Session 10").
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=100']
