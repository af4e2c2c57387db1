/**
 * A dummy operation a ring member applies to the array after replacing its own
 * slot: insert a keystream slot from a seed, or delete the slot whose
 * BLAKE2b-256 is named. Owners pair inserts with deletes so the slot count
 * never changes.
 */
export type DummyOp =
  | { kind: 'none' }
  | { kind: 'insert', seed: Uint8Array }
  | { kind: 'delete', slotHash: Uint8Array }

export const DUMMY_OP_NONE = 0
export const DUMMY_OP_INSERT = 1
export const DUMMY_OP_DELETE = 2
