/**
 * Worker-thread entry of the owner's key search: runs calibration and tree
 * searches off the event loop. Started by KeySearcher; never imported elsewhere.
 */
import { performance } from 'node:perf_hooks'
import { parentPort } from 'node:worker_threads'
import { TUNNEL_KEY_BYTES } from '../tunnelConstants.js'
import { measureTransformRate } from './calibration.js'
import { initBlockAcceptor } from './initBlockAcceptor.js'
import { searchKeyTree } from './keyTreeSearch.js'
import type { SearchWorkerRequest, SearchWorkerResponse } from './searchMessages.js'

function splitKeys (flat: Uint8Array): Buffer[] {
  if (flat.byteLength === 0 || flat.byteLength % TUNNEL_KEY_BYTES !== 0) throw new RangeError('key set must be a non-empty multiple of 32 bytes')
  const keys: Buffer[] = []
  for (let o = 0; o < flat.byteLength; o += TUNNEL_KEY_BYTES) keys.push(Buffer.from(flat.buffer, flat.byteOffset + o, TUNNEL_KEY_BYTES))
  return keys
}

function handle (request: SearchWorkerRequest): SearchWorkerResponse {
  if (request.type === 'calibrate') {
    return { id: request.id, ok: true, type: 'calibrate', transformsPerSecond: measureTransformRate(request.durationMs) }
  }
  const start = performance.now()
  const hops = request.hopKeys.map(splitKeys)
  const result = searchKeyTree(request.layered, hops, initBlockAcceptor(request.criterion))
  for (const flat of request.hopKeys) flat.fill(0) // our copy of the owner's keys
  return { id: request.id, ok: true, type: 'search', keyIndices: result.keyIndices, innermost: result.innermost, transforms: result.transforms, elapsedMs: performance.now() - start }
}

const port = parentPort
if (port == null) throw new Error('keySearchWorker must run in a worker thread')
port.on('message', (request: SearchWorkerRequest) => {
  let response: SearchWorkerResponse
  try {
    response = handle(request)
  } catch (err) {
    response = { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) }
  }
  port.postMessage(response)
})
