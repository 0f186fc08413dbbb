import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { useEnvelopeServer } from './envelope-server.js'
import { telltaleFor } from './helpers.js'

/** Node's gc() without --expose-gc on the command line. */
function gc(): () => void {
  const g = globalThis as { gc?: () => void }
  if (typeof g.gc === 'function') return g.gc
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

async function heapAfterGc(): Promise<number> {
  const collect = gc()
  for (let i = 0; i < 3; i++) {
    collect()
    await new Promise((r) => setImmediate(r))
  }
  return process.memoryUsage().heapUsed
}

const MB = 1024 * 1024
/**
 * The documented bound (README, "Memory"): default queue limits (10 000 records), every
 * request traced with two spans. Measured: 12.4 MB on Node 20, 8.0 MB on Node 24; the bound leaves room for
 * other Node versions and for garbage the collector has not returned yet.
 */
const HEAP_BOUND_MB = 24

const server = useEnvelopeServer()

describe('memory with Sentry down', () => {
  it(`100 000 requests keep the heap within ${HEAP_BOUND_MB} MB of where it started, and the backlog that fits is delivered later`, async () => {
    const { telltale, internal } = telltaleFor(server, { maxTracesPerWindow: 100_000, retryBaseMs: 50, retryMaxMs: 1000, closeTimeoutMs: 30_000 }, { requestTimeoutMs: 1000 })
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const scope = telltale.startRequest({ method: 'GET', path: `/products/${i}` })
        await scope.run(async () => {
          await telltale.span('load-product', async () => i)
          await telltale.span('price', async () => i)
        })
        scope.setRoute(i % 2 ? '/products/:id' : '/products/:id/reviews')
        scope.end(i % 50 === 0 ? 500 : 200)
        // A window every 1 000 requests: 100 windows of 1 000 traces while Sentry is down.
        if (i % 1000 === 999) await telltale.flush(0)
      }
    }
    await run(2000)
    expect(await telltale.flush()).toBe(true)
    const before = await heapAfterGc()

    // Down: every connection is reset before an answer, a network error for the transport.
    server.onRequest = (socket) => socket.destroy()
    await run(100_000)
    const during = await heapAfterGc()
    const stats = telltale.stats()
    const grewMb = (during - before) / MB
    console.log(`heap grew ${grewMb.toFixed(1)} MB with ${stats.records.queued} records (${(stats.records.queuedBytes / MB).toFixed(1)} MB of JSON) queued`)
    expect(grewMb).toBeLessThan(HEAP_BOUND_MB)
    expect(stats.records.queued).toBeLessThanOrEqual(10_000)
    expect(stats.dropped.queue_full).toBeGreaterThan(80_000)
    expect(stats.transports[0]!.failures).toBeGreaterThan(0)

    server.onRequest = null
    const received = server.received.length
    await telltale.close()
    const end = telltale.stats()
    expect(end.records.sent + end.records.dropped).toBe(end.records.produced)
    // Everything still queued when Sentry came back was delivered.
    expect(end.transports[0]!.dropped.closed ?? 0).toBe(0)
    expect(server.received.length - received).toBeGreaterThan(9000)
    expect(internal).toEqual([])
  }, 120_000)
})
