import { createTelltale, memoryTransport, type MetricsRecord } from '@telltale/core'
import { afterAll, describe, expect, it } from 'vitest'
import { createCollector, type Collector } from '../src/index.js'
import { cleanup, SHARED_REDIS, testNames } from './helpers/pipeline.js'

const names = testNames('store')
const open: Collector[] = []

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()))
  await cleanup(SHARED_REDIS, names.prefix)
})

async function collector(): Promise<Collector> {
  const c = createCollector({ redis: SHARED_REDIS, stream: names.stream, prefix: names.prefix, group: 'g', blockMs: 50 })
  open.push(c)
  await c.start()
  return c
}

async function windows(n: number, service: string): Promise<MetricsRecord[]> {
  const copy = memoryTransport()
  const telltale = createTelltale({ service, transports: [copy], flushIntervalMs: 3_600_000 })
  for (let w = 0; w < n; w++) {
    for (let i = 0; i <= w; i++) {
      const scope = telltale.startRequest({ method: 'GET', path: '/a' })
      scope.setRoute('/a')
      scope.end(200)
    }
    await telltale.flush(1_000)
  }
  await telltale.close()
  return copy.records.filter((r): r is MetricsRecord => r.type === 'metrics' && r.routes.length > 0)
}

describe('Redis store', () => {
  it('applies each window once across collectors and reports seq gaps', async () => {
    const [a, b] = [await collector(), await collector()]
    const ws = await windows(4, 'gaps')
    // Windows 1, 2, 4 (seq 3 lost), each delivered to both collectors, twice.
    await Promise.all([a.transport.send([ws[0]!, ws[1]!, ws[3]!]), b.transport.send([ws[3]!, ws[1]!, ws[0]!])])
    await a.transport.send([ws[0]!, ws[3]!])
    const { routes } = await a.query.routes({ service: 'gaps' })
    expect(routes[0]!.count).toBe(1 + 2 + 4)
    const { services } = await b.query.services()
    expect(services.find((s) => s.service === 'gaps')).toMatchObject({ windows: 3, lostWindows: 1, instances: 1 })
    await b.transport.send([ws[2]!])
    expect((await a.query.routes({ service: 'gaps' })).routes[0]!.count).toBe(10)
    expect((await a.query.services()).services.find((s) => s.service === 'gaps')).toMatchObject({ windows: 4, lostWindows: 0 })
  })
})
