/**
 * The owner's ring sequence (PROTOCOL.md §6, paper §7.1.1 step 3). Forward
 * layout before the coin flip:
 *
 *   Y  X1  Y(+extras)  X2  Y(+extras) …  Xx  Y×(x−1)
 *
 * so no two X are adjacent, a single Y sits at one end, x−1 consecutive Ys at
 * the other, extra Ys are scattered over the gaps between X-nodes. The whole
 * sequence is then reversed with probability 1/2. X1 is the X nearest the
 * single-Y end (the owner's final neighbour); Xx, next to the block of x−1
 * Ys, is the terminating node. Both ends are Y-nodes, so the owner is never a
 * ring neighbour of an X-node.
 */
import { randomInt, shuffleInPlace } from '../../crypto/index.js'

export type RingRole = 'X' | 'Y'

export interface RingMember<T> {
  peer: T
  role: RingRole
}

export interface RingOrder<T> {
  /** Ring sequence: the owner sends round arrays to members[0], members[last] returns them to the owner. */
  members: Array<RingMember<T>>
  /** Ring indices of the X-nodes in final path order X1 … Xx. */
  pathIndices: number[]
  /** Ring index of the terminating node (= pathIndices[x − 1]). */
  terminatingIndex: number
  /** True when the sequence was reversed (the x−1 block comes first). */
  reversed: boolean
}

/** Orders `xNodes` (x ≥ 2) and `yNodes` (y ≥ 2x − 1), all distinct, into a ring with the CSPRNG. */
export function orderRing<T> (xNodes: readonly T[], yNodes: readonly T[], options: { reverse?: boolean } = {}): RingOrder<T> {
  const x = xNodes.length
  const y = yNodes.length
  if (x < 2) throw new RangeError('ring: at least 2 X-nodes')
  if (y < 2 * x - 1) throw new RangeError(`ring: at least 2x−1 = ${2 * x - 1} Y-nodes`)
  if (new Set([...xNodes, ...yNodes]).size !== x + y) throw new RangeError('ring: nodes must be distinct')
  const xs = shuffleInPlace(xNodes.slice())
  const ys = shuffleInPlace(yNodes.slice())
  const extraPerGap = new Array<number>(x - 1).fill(0)
  for (let e = 0; e < y - (2 * x - 1); e++) extraPerGap[randomInt(x - 1)] += 1
  const members: Array<RingMember<T>> = []
  const takeY = (): void => { members.push({ peer: ys.pop() as T, role: 'Y' }) }
  takeY()
  const forwardX: number[] = []
  for (let j = 0; j < x; j++) {
    forwardX.push(members.length)
    members.push({ peer: xs[j] as T, role: 'X' })
    const gap = j < x - 1 ? 1 + (extraPerGap[j] as number) : x - 1
    for (let k = 0; k < gap; k++) takeY()
  }
  const reversed = options.reverse ?? randomInt(2) === 1
  if (!reversed) return { members, pathIndices: forwardX, terminatingIndex: forwardX[x - 1] as number, reversed }
  const last = members.length - 1
  const pathIndices = forwardX.map((i) => last - i)
  return { members: members.reverse(), pathIndices, terminatingIndex: pathIndices[x - 1] as number, reversed }
}

/** Checks a ring against the ordering rules; returns a description of the first violation, or null. */
export function ringOrderViolation<T> (ring: RingOrder<T>): string | null {
  const roles = ring.members.map((m) => m.role)
  const n = roles.length
  const x = roles.filter((r) => r === 'X').length
  if (x < 2) return 'fewer than 2 X-nodes'
  if (n - x < 2 * x - 1) return 'fewer than 2x−1 Y-nodes'
  if (new Set(ring.members.map((m) => m.peer)).size !== n) return 'nodes not distinct'
  for (let i = 1; i < n; i++) if (roles[i] === 'X' && roles[i - 1] === 'X') return 'two adjacent X-nodes'
  const leading = roles.indexOf('X')
  const trailing = n - 1 - roles.lastIndexOf('X')
  const single = ring.reversed ? trailing : leading
  const block = ring.reversed ? leading : trailing
  if (single !== 1) return 'the single-Y end does not hold exactly one Y'
  if (block !== x - 1) return 'the block end does not hold exactly x−1 Ys'
  const xIndices = roles.flatMap((r, i) => (r === 'X' ? [i] : []))
  const expectedPath = ring.reversed ? xIndices.slice().reverse() : xIndices
  if (ring.pathIndices.length !== x || ring.pathIndices.some((v, i) => v !== expectedPath[i])) return 'path order does not run from the single-Y end'
  if (ring.terminatingIndex !== expectedPath[x - 1]) return 'terminating node is not the X next to the block'
  return null
}
