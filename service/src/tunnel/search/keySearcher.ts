import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { TunnelKeySet } from '../keys/tunnelKeySet.js'
import { BLOCK_BYTES, DEFAULT_HOP_COUNT, MAX_HOP_COUNT, SEARCH_BUDGET_MS } from '../tunnelConstants.js'
import { calibrationFor, type Calibration } from './calibration.js'
import type { SearchCriterion } from './initBlockAcceptor.js'
import { worstCaseTransforms, type KeyTreeSearchResult } from './keyTreeSearch.js'
import type { SearchWorkerRequest, SearchWorkerResponse } from './searchMessages.js'

export interface KeySearcherOptions {
  /** Hop count the calibration is for (default 3). */
  hopCount?: number
  /** Worst-case search budget (default 100 ms). */
  budgetMs?: number
  /** How long the start-up measurement runs (default 60 ms). */
  calibrationMs?: number
  /** Refuse searches whose worst case exceeds this many transforms (default 64 × the calibrated budget). */
  maxTransforms?: number
}

export interface KeySearchOutcome extends KeyTreeSearchResult {
  elapsedMs: number
}

/**
 * Starts the search worker. The worker file sits next to this one: `.ts`
 * under tsx (the worker then registers tsx itself, since loader hooks of the
 * parent do not reach worker threads), `.js` when compiled to dist/.
 */
export function startSearchWorker (): Worker {
  const here = import.meta.url
  const typescript = here.endsWith('.ts')
  const entry = new URL(`./keySearchWorker.${typescript ? 'ts' : 'js'}`, here)
  if (!typescript) return new Worker(entry)
  // Resolved with createRequire: under mocha + tsx this module may run as CommonJS, where import.meta.resolve is missing.
  // The ESM build of tsx's API (the "import" target of its "./esm/api" export); register() installs tsx's loader in this worker.
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(here).resolve('tsx/package.json'))).href
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(bootstrap, { eval: true })
}

/**
 * The owner's key search, off the event loop: one worker thread, requests
 * answered in order. `start()` calibrates (transforms per second in the
 * worker) and exposes the largest N whose worst-case search for the
 * configured hop count fits the budget.
 */
export class KeySearcher {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (r: SearchWorkerResponse) => void, reject: (e: Error) => void }>()
  private failure: Error | null = null
  private maxTransforms = Infinity
  calibration!: Calibration

  private constructor (private readonly worker: Worker) {
    worker.unref()
    worker.on('message', (response: SearchWorkerResponse) => {
      const waiter = this.pending.get(response.id)
      if (waiter == null) return
      this.pending.delete(response.id)
      waiter.resolve(response)
    })
    const fail = (err: Error): void => {
      this.failure ??= err
      for (const waiter of this.pending.values()) waiter.reject(err)
      this.pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => { fail(new Error(`key-search worker exited (${code})`)) })
  }

  static async start (options: KeySearcherOptions = {}): Promise<KeySearcher> {
    const hopCount = options.hopCount ?? DEFAULT_HOP_COUNT
    if (!Number.isInteger(hopCount) || hopCount < 1 || hopCount > MAX_HOP_COUNT) throw new RangeError(`hop count must be 1..${MAX_HOP_COUNT}`)
    const searcher = new KeySearcher(startSearchWorker())
    try {
      const response = await searcher.request({ id: 0, type: 'calibrate', durationMs: options.calibrationMs ?? 60 })
      if (response.type !== 'calibrate') throw new Error('unexpected calibration response')
      searcher.calibration = calibrationFor(response.transformsPerSecond, hopCount, options.budgetMs ?? SEARCH_BUDGET_MS)
      searcher.maxTransforms = options.maxTransforms ?? Math.max(64 * searcher.calibration.worstCaseTransforms, 1_000_000)
    } catch (err) {
      await searcher.close()
      throw err
    }
    return searcher
  }

  /** The calibrated key count N (what the owner puts into its X-nodes' setup packages). */
  get keyCount (): number {
    return this.calibration.keyCount
  }

  private async request (request: SearchWorkerRequest): Promise<SearchWorkerResponse & { ok: true }> {
    if (this.failure != null) throw this.failure
    const id = this.nextId++
    const response = await new Promise<SearchWorkerResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.ref()
      this.worker.postMessage({ ...request, id })
    }).finally(() => { if (this.pending.size === 0) this.worker.unref() })
    if (!response.ok) throw new Error(`key search failed: ${response.error}`)
    return response
  }

  /** Searches the hops' key choices for a layered initialisation block (hop 1 = outermost layer). */
  async search (layered: Uint8Array, hopKeys: readonly TunnelKeySet[], criterion: SearchCriterion): Promise<KeySearchOutcome> {
    if (layered.byteLength !== BLOCK_BYTES) throw new RangeError(`layered block must be ${BLOCK_BYTES} bytes`)
    if (hopKeys.length < 1 || hopKeys.length > MAX_HOP_COUNT) throw new RangeError(`1..${MAX_HOP_COUNT} hops`)
    const worst = worstCaseTransforms(hopKeys.map((keys) => keys.length))
    if (worst > this.maxTransforms) throw new RangeError(`search of ${worst} transforms exceeds the limit of ${this.maxTransforms}`)
    const flat = hopKeys.map((keys) => Buffer.concat(keys))
    const answer = this.request({ id: 0, type: 'search', layered: Uint8Array.from(layered), hopKeys: flat, criterion })
    for (const f of flat) f.fill(0) // postMessage has already copied them to the worker (which zeroes its copy after the search)
    const response = await answer
    if (response.type !== 'search') throw new Error('unexpected search response')
    return {
      keyIndices: response.keyIndices,
      innermost: response.innermost == null ? null : Buffer.from(response.innermost),
      transforms: response.transforms,
      elapsedMs: response.elapsedMs
    }
  }

  async close (): Promise<void> {
    this.failure ??= new Error('key searcher closed')
    await this.worker.terminate()
  }
}
