import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../logging/logger.js'
import { isAllowedAddress, isNameAddress, type AddressPolicy } from './addressPolicy.js'
import type { OperatorNames } from './operatorNames.js'
import { readSeedFiles } from './seedFileReader.js'

/**
 * The bootstrap entries the configured seed files give this node: read,
 * checked, without the node's own addresses (a file exported on this node
 * lists them) and without addresses its policy would refuse to dial. A DNS
 * name is kept and remembered in `names`, to be looked up when it is dialled
 * and the addresses it resolves to checked then (operatorNames.ts). Every
 * problem is logged, none is fatal: a node whose seed files are all missing
 * or bad starts with what it has (bootstrap, peer cache, mDNS).
 */
export async function loadSeedPeers (files: readonly string[], ownPeerId: string, policy: AddressPolicy, names: OperatorNames, log: Logger): Promise<string[]> {
  if (files.length === 0) return []
  const found = await readSeedFiles(files)
  for (const warning of found.warnings) log.warn('seed file problem', { problem: warning })
  if (found.missing.length > 0) log.debug('no seed file at', { files: found.missing })
  let own = 0
  let refused = 0
  const entries = found.entries.filter((entry) => {
    const addr = multiaddr(entry)
    if (addr.getComponents().at(-1)?.value === ownPeerId) { own++; return false }
    if (isNameAddress(addr)) { names.addFrom([addr]); return true }
    if (!isAllowedAddress(addr, policy)) { refused++; return false }
    return true
  })
  if (refused > 0) log.warn('seed entries with private, loopback or link-local addresses skipped (network.allowPrivateAddresses is false)', { skipped: refused })
  if (found.read.length > 0) log.info('seed files read', { files: found.read, peers: entries.length, ownAddressesSkipped: own })
  return entries
}
