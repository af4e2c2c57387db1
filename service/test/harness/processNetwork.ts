import { ProcessNode, type ProcessNodeOptions } from './processNode.js'
import { waitFor } from './waitFor.js'

/**
 * N daemons as separate processes on loopback: node 0 starts first, the
 * others bootstrap from it (and from node 1 when present), then the harness
 * waits until every node's network database is ready. `destroy()` tears
 * everything down and is safe to call from an `after` hook even when start
 * failed half way.
 */
export class ProcessNetwork {
  readonly nodes: ProcessNode[] = []

  /** `configFor(i)`, when given, is merged over `config` for node i (sections replace sections). */
  static async start (count: number, options: { config?: Record<string, unknown>, configFor?: (i: number) => Record<string, unknown>, readyTimeoutMs?: number } = {}): Promise<ProcessNetwork> {
    const net = new ProcessNetwork()
    const configOf = (i: number): Record<string, unknown> | undefined =>
      options.config == null && options.configFor == null ? undefined : { ...options.config, ...options.configFor?.(i) }
    try {
      const c0 = configOf(0)
      const first = await ProcessNode.create({ name: 'node0', ...(c0 != null ? { config: c0 } : {}) })
      net.nodes.push(first)
      await first.start()
      const seeds = [first.address]
      const rest: ProcessNode[] = []
      for (let i = 1; i < count; i++) {
        const opts: ProcessNodeOptions = { name: `node${i}`, bootstrap: [...seeds] }
        const c = configOf(i)
        if (c != null) opts.config = c
        rest.push(await ProcessNode.create(opts))
      }
      net.nodes.push(...rest)
      // start in small batches: 2 cores
      for (let i = 0; i < rest.length; i += 4) {
        await Promise.all(rest.slice(i, i + 4).map(async n => { await n.start() }))
      }
      await net.waitReady(options.readyTimeoutMs ?? 60_000)
    } catch (err) {
      await net.destroy()
      throw err
    }
    return net
  }

  async waitReady (timeoutMs: number): Promise<void> {
    await Promise.all(this.nodes.map(async n => {
      await waitFor(`${n.name} network database ready`, async () => (await n.status()).netdb.ready, timeoutMs, 200)
    }))
  }

  async destroy (): Promise<void> {
    await Promise.all(this.nodes.map(async n => { await n.destroy() }))
  }
}
