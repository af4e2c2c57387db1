/** T§7.2 stream states. "local"/"remote" say which side has finished sending. */
export type StreamState = 'open' | 'halfClosedLocal' | 'halfClosedRemote' | 'closed'

/** sendEnd: we sent STREAM_CLOSE without code; receiveEnd: the peer did; reset: either side aborted (STREAM_CLOSE with code). */
export type StreamEvent = 'sendEnd' | 'receiveEnd' | 'reset'

/** The state after `event`, or null when the event is not allowed in `state` (a stream error). */
export function nextStreamState (state: StreamState, event: StreamEvent): StreamState | null {
  if (event === 'reset') return 'closed'
  switch (state) {
    case 'open': return event === 'sendEnd' ? 'halfClosedLocal' : 'halfClosedRemote'
    case 'halfClosedLocal': return event === 'receiveEnd' ? 'closed' : null
    case 'halfClosedRemote': return event === 'sendEnd' ? 'closed' : null
    case 'closed': return null
  }
}

/** May we still send DATA in this state? */
export function canSend (state: StreamState): boolean {
  return state === 'open' || state === 'halfClosedRemote'
}

/** May the peer still send DATA in this state? */
export function canReceive (state: StreamState): boolean {
  return state === 'open' || state === 'halfClosedLocal'
}
