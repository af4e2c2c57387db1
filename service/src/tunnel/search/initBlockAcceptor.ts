import { constantTimeEqual } from '../../crypto/index.js'
import { hasComplementPair, initBlockProblem, INIT_KIND_INBOUND, INIT_KIND_OUTBOUND } from '../blocks/initBlock.js'

/**
 * What the owner expects at the centre of a layered initialisation block:
 * outbound = an outbound block (answer to its probe); inbound = an inbound
 * block naming one of its own AP addresses. Plain data, so it crosses to the
 * search worker.
 */
export type SearchCriterion =
  | { kind: 'outbound' }
  | { kind: 'inbound', apAddresses: Uint8Array[] }

/** The innermost-structure test used by the tree search: v/¬v first, then check field, kind and AP address. */
export function initBlockAcceptor (criterion: SearchCriterion): (block: Buffer) => boolean {
  return (block) => {
    if (!hasComplementPair(block)) return false
    if (initBlockProblem(block) != null) return false
    if (criterion.kind === 'outbound') return block[16] === INIT_KIND_OUTBOUND
    if (block[16] !== INIT_KIND_INBOUND) return false
    const ap = block.subarray(17, 33)
    let mine = false
    for (const own of criterion.apAddresses) mine = constantTimeEqual(own, ap) || mine
    return mine
  }
}
