import { createTelltale, memoryTransport, type MetricsRecord } from '@telltale/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createCollector, type Collector } from '../src/index.js'

const open: Collector[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()))
})

function embedded(): Collector {
  const c = createCollector({ store: 'memory' })
  open.push(c)
  return c
}

describe('embedded mode (memory store, fed by the core)', () => {
  it('aggregates what one process served, exactly, with breakdown, events and errors', async () => {
    const collector = embedded()
    const telltale = createTelltale({ service: 'shop', transports: [collector.transport], flushIntervalMs: 3_600_000, traceSampleRate: 0 })
    for (let i = 0; i < 250; i++) {
      const scope = telltale.startRequest({ method: 'GET', path: `/users/${i}` })
      scope.run(() => {
        scope.setRoute('/users/:id')
        if (i % 50 === 0) telltale.track('order.created', { total: 10 })
        if (i % 25 === 0) scope.setError(new Error(`boom <b>${i % 2}</b>`))
        scope.end(i % 25 === 0 ? 500 : 200)
      })
    }
    await telltale.flush(5_000)
    await telltale.close()
    const { routes } = await collector.query.routes({ service: 'shop' })
    expect(routes).toHaveLength(1)
    expect(routes[0]).toMatchObject({ method: 'GET', route: '/users/:id', count: 250, errors: 10, statuses: { '2xx': 240, '5xx': 10 } })
    expect(routes[0]!.rpm).toBeCloseTo(250 / 60, 3)
    const { events } = await collector.query.events({ service: 'shop' })
    expect(events).toEqual([{ name: 'order.created', count: 5, sums: { total: 50 } }])
    const { errors } = await collector.query.errors({ service: 'shop' })
    expect(errors.reduce((n, e) => n + e.count, 0)).toBe(10)
    expect(errors[0]).toMatchObject({ route: '/users/:id', name: 'Error' })
    const { services } = await collector.query.services()
    // flush() and close() each seal a window
    expect(services).toMatchObject([{ service: 'shop', windows: 2, lostWindows: 0, instances: 1 }])
  })

  it('keeps resources (spans), custom breakdown, and traces of failed requests', async () => {
    const collector = embedded()
    const telltale = createTelltale({ service: 'traced', transports: [collector.transport], flushIntervalMs: 3_600_000, traceSampleRate: 0 })
    await telltale.span('nightly-report', async () => {})
    for (let i = 0; i < 3; i++) {
      const scope = telltale.startRequest({ method: 'POST', path: '/pay' })
      await scope.run(async () => {
        await telltale.span('render-invoice', async () => {})
        scope.setRoute(i === 0 ? '/pay' : '/refund')
        scope.setError(new Error('declined'))
        scope.end(502)
      })
    }
    await telltale.close()
    const { resources } = await collector.query.resources({ service: 'traced' })
    expect(resources).toMatchObject([
      { kind: 'custom', system: 'app', operation: 'span', statement: 'render-invoice', count: 3, errors: 0 },
      { kind: 'custom', system: 'app', operation: 'span', statement: 'nightly-report', count: 1, errors: 0 },
    ])
    const { routes } = await collector.query.routes({ service: 'traced' })
    expect(routes.find((r) => r.route === '/refund')).toMatchObject({ count: 2, errors: 2, statuses: { '5xx': 2 }, breakdown: { custom: { count: 2 } } })
    const all = await collector.query.traces({ service: 'traced' })
    expect(all.traces).toHaveLength(3)
    expect(all.traces[0]).toMatchObject({ type: 'trace', reason: 'error', status: 502, spans: [{ kind: 'custom', statement: 'render-invoice' }] })
    expect((await collector.query.traces({ service: 'traced', route: '/pay' })).traces).toHaveLength(1)
    expect((await collector.query.traces({ service: 'traced', limit: '2' })).traces).toHaveLength(2)
  })

  it('applies a window once however often it arrives, and reports seq gaps as lost windows', async () => {
    const collector = embedded()
    const copy = memoryTransport()
    const telltale = createTelltale({ service: 'dup', transports: [copy], flushIntervalMs: 3_600_000 })
    for (let w = 0; w < 3; w++) {
      const scope = telltale.startRequest({ method: 'POST', path: '/orders' })
      scope.setRoute('/orders')
      scope.end(201)
      await telltale.flush(1_000)
    }
    await telltale.close()
    const windows = copy.records.filter((r): r is MetricsRecord => r.type === 'metrics' && r.routes.length > 0)
    expect(windows.map((w) => w.seq)).toEqual([1, 2, 3])
    // Window 2 never arrives; windows 1 and 3 arrive three times each, in one batch and across batches.
    await collector.transport.send([windows[0]!, windows[0]!, windows[2]!])
    await collector.transport.send([windows[2]!, windows[0]!])
    const { routes } = await collector.query.routes({ service: 'dup' })
    expect(routes[0]!.count).toBe(2)
    expect((await collector.query.services()).services[0]).toMatchObject({ windows: 2, lostWindows: 1 })
    expect(collector.stats().processed).toMatchObject({ windows: 2, duplicates: 3 })
    await collector.transport.send([windows[1]!])
    expect((await collector.query.routes({ service: 'dup' })).routes[0]!.count).toBe(3)
    expect((await collector.query.services()).services[0]).toMatchObject({ windows: 3, lostWindows: 0 })
  })

  it('counts malformed records and keeps the rest of the batch', async () => {
    const collector = embedded()
    const copy = memoryTransport()
    const telltale = createTelltale({ service: 'mixed', transports: [copy], flushIntervalMs: 3_600_000 })
    const scope = telltale.startRequest({ method: 'GET', path: '/' })
    scope.setRoute('/')
    scope.end(200)
    await telltale.flush(1_000)
    await telltale.close()
    const good = copy.records.find((r) => r.type === 'metrics')!
    const bad = [
      { ...good, v: 2 },
      { ...good, type: 'nonsense' },
      { ...good, service: undefined },
      { ...good, seq: 2, routes: [{ ...(good as MetricsRecord).routes[0]!, count: -1 }] },
      'a string',
      null,
    ]
    await collector.transport.send([...bad, good] as never)
    expect((await collector.query.routes({ service: 'mixed' })).routes[0]!.count).toBe(1)
    expect(collector.stats().processed.deadLettered).toEqual({ wrong_version: 1, unknown_type: 1, missing_fields: 1, bad_values: 3 })
  })
})
