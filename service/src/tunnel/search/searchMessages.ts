import type { SearchCriterion } from './initBlockAcceptor.js'

/** Messages between the owner's event loop and the key-search worker (structured clone). */
export type SearchWorkerRequest =
  | { id: number, type: 'calibrate', durationMs: number }
  | { id: number, type: 'search', layered: Uint8Array, hopKeys: Uint8Array[], criterion: SearchCriterion }

export type SearchWorkerResponse =
  | { id: number, ok: true, type: 'calibrate', transformsPerSecond: number }
  | { id: number, ok: true, type: 'search', keyIndices: number[] | null, innermost: Uint8Array | null, transforms: number, elapsedMs: number }
  | { id: number, ok: false, error: string }
