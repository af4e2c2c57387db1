/**
 * What the comparison runner needs from a network under test. Phantom plugs in
 * by implementing `Transport` (see docs/benchmarks.md, "Comparison networks").
 */

/** How the client driver reaches the bench server over one path. */
export type ConnectTarget =
  | { kind: 'tcp', host: string, port: number }
  /**
   * Through a SOCKS5 proxy. With `isolate`, every fresh connection (and each
   * stream of a multi-stream run) presents its own random username/password,
   * which tor (IsolateSOCKSAuth, on by default) maps to its own circuit.
   */
  | { kind: 'socks5', proxyHost: string, proxyPort: number, host: string, port: number, isolate: boolean }

/** One way through the network; a transport may offer several (tor: onion service and exit circuit). */
export interface BenchPath {
  /** Row label in the tables, e.g. 'tor-onion'. */
  label: string
  /** Network namespace the client driver runs in. */
  clientNamespace: string
  target: ConnectTarget
  /** One line on what this path is, printed under the tables. */
  description: string
  /**
   * Destinations the client has never contacted, each reached the same way as
   * `target`: one fresh connection to each times the first byte to a new
   * destination (Phantom: the AP record lookup, tunnel setup with the key
   * search, the Noise handshake and the stream). Measured before anything
   * else touches them.
   */
  freshTargets?: ConnectTarget[]
  /**
   * Measure only the first byte to `freshTargets`, and report it with the
   * path of the same label measured before (a network built just for that
   * figure, so that its extra destinations leave the others untouched).
   */
  freshOnly?: boolean
  /** For a plain IP path: where an iperf3 server can run and the address the client reaches it at (an extra bulk figure). */
  iperf3?: { serverNamespace: string, host: string }
}

/** A long-lived process that forwards traffic (its CPU and memory are charged to the network). */
export interface NodeProcess {
  name: string
  pid: number
}

export interface Transport {
  /** Short name used by --only, e.g. 'tor', 'yggdrasil', 'direct'. */
  readonly name: string
  /**
   * Builds the network, starts the bench server (see `startBenchServer`) where
   * the paths lead and waits (bounded, no fixed sleeps) until every path
   * carries a connection. Throws with a diagnosis on failure; `stop()` is still
   * called afterwards.
   */
  start: () => Promise<void>
  /** Ends every process it started and removes its namespaces; safe to call twice or after a failed start. */
  stop: () => Promise<void>
  paths: () => BenchPath[]
  /** The forwarding processes (not the bench server, not the client driver). Empty when the kernel does all the work. */
  nodes: () => NodeProcess[]
  /** The bench server's pid, for its CPU time. */
  serverPid: () => number | undefined
  /** Facts worth printing with the results (MTU, versions, counts). */
  notes: () => Record<string, string>
  /** The output of its processes, for --logs (optional). */
  logs?: () => Array<{ name: string, text: string }>
}
