/**
 * The key of one tracked flow, always written from our side: protocol, our
 * address and port, the peer's address and port. For ICMPv6 echo the
 * identifier stands in for our port and the peer's port is 0.
 */
export function flowKey (protocol: number, local: Uint8Array, localPort: number, remote: Uint8Array, remotePort: number): string {
  return `${protocol}|${Buffer.from(local.buffer, local.byteOffset, local.byteLength).toString('hex')}|${localPort}|` +
    `${Buffer.from(remote.buffer, remote.byteOffset, remote.byteLength).toString('hex')}|${remotePort}`
}
