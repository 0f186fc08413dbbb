import { describe, expect, it } from 'vitest'
import { createTelltale, memoryTransport } from '../src/index.js'
import { fullGc } from './helpers.js'

describe('memory', () => {
  it('a request-like object passed through a request is collected after end()', async () => {
    const telltale = createTelltale({ service: 'mem', transports: [memoryTransport()], flushIntervalMs: 3_600_000, traceSampleRate: 1 })
    const refs: WeakRef<object>[] = []
    for (let i = 0; i < 10_000; i++) {
      const req = { method: 'GET', url: `/items/${i}`, body: i % 1000 === 0 ? Buffer.alloc(1024 * 1024, 1) : null, headers: { cookie: 'secret' } }
      if (i % 1000 === 0) refs.push(new WeakRef(req))
      const scope = telltale.startRequest({ method: req.method, path: req.url })
      await scope.run(async () => {
        await telltale.span('work', async () => req.url.length)
        scope.setRoute('/items/:id')
        scope.end(200)
      })
    }
    await fullGc()
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0)
    await telltale.close()
  })

  it('heap after 200 000 requests is within 5 MB of heap after 10 000', async () => {
    const telltale = createTelltale({ service: 'mem', transports: [memoryTransport({ maxRecords: 100 })], flushIntervalMs: 3_600_000 })
    const routes = Array.from({ length: 50 }, (_, i) => `/r${i}/:id`)
    const run = async (n: number, from: number) => {
      for (let i = from; i < from + n; i++) {
        const scope = telltale.startRequest({ method: 'GET', path: `/r/${i}` })
        await scope.run(async () => {
          if (i % 10 === 0) await telltale.span('s', async () => 1)
          scope.setRoute(routes[i % 50]!)
          scope.end(i % 97 === 0 ? 500 : 200)
        })
        if (i % 20_000 === 0) await telltale.flush()
      }
    }
    await run(10_000, 0)
    await telltale.flush()
    await fullGc()
    const after10k = process.memoryUsage().heapUsed
    await run(190_000, 10_000)
    await telltale.flush()
    await fullGc()
    const after200k = process.memoryUsage().heapUsed
    expect(Math.abs(after200k - after10k) / 1024 / 1024).toBeLessThan(5)
    expect(telltale.snapshot().routes.reduce((n, r) => n + r.count, 0)).toBe(200_000)
    await telltale.close()
  }, 120_000)
})
