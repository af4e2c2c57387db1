import { constantTimeEqual } from '../../crypto/index.js'
import type { RoundPlan } from './pathSetupPlan.js'

/**
 * The owner's end-of-round check: accepts only the exact predicted array, from
 * the expected last ring member, over the expected link. All three
 * comparisons always run (constant time).
 */
export function checkReturnedArray (plan: RoundPlan, received: { senderPeerId: Uint8Array, linkId: Uint8Array, arrayBytes: Uint8Array }): boolean {
  const arrayOk = constantTimeEqual(received.arrayBytes, plan.expectedReturn.arrayBytes)
  const linkOk = constantTimeEqual(received.linkId, plan.expectedReturn.linkId)
  const senderOk = constantTimeEqual(received.senderPeerId, plan.expectedReturn.senderPeerId)
  return arrayOk && linkOk && senderOk
}
