/**
 * The loopback networks, as multiaddrs for libp2p's connection-manager
 * allow list. libp2p refuses a sixth inbound connection per second from one
 * IP and caps pending and total connections; connections from this machine
 * itself (several nodes on one host, as in tests and benchmarks) are exempt:
 * limiting them protects nothing, and it resets path-setup dials between
 * co-located nodes.
 */
export const LOOPBACK_NETWORKS: readonly string[] = ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128']
