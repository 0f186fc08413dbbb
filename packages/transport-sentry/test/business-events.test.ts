import { describe, expect, it } from 'vitest'
import { useEnvelopeServer } from './envelope-server.js'
import { telltaleFor } from './helpers.js'

const server = useEnvelopeServer()

describe('business events', () => {
  it('are sent as Sentry counter metrics: one per name and summed property per window', async () => {
    const { telltale } = telltaleFor(server, { traceSampleRate: 0 }, { release: 'shop@2.0.0' })
    telltale.track('order.created', { plan: 'pro', amount: 30 })
    telltale.track('order.created', { plan: 'free', amount: 12.5 })
    telltale.track('order.created', { plan: 'pro', amount: 7 })
    telltale.track('coupon.redeemed')
    await telltale.flush()
    telltale.track('order.created', { amount: 1 })
    await telltale.flush()
    await telltale.close()

    const windows = server.items('trace_metric')
    expect(windows).toHaveLength(2)
    const first = windows[0]!
    expect(first.item).toMatchObject({ item_count: 3, content_type: 'application/vnd.sentry.items.trace-metric+json' })
    const metrics = first.payload.items as any[]
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m]))
    expect(Object.keys(byName).sort()).toEqual(['coupon.redeemed', 'order.created', 'order.created.amount'])
    expect(byName['order.created']).toMatchObject({ type: 'counter', value: 3 })
    expect(byName['order.created.amount']).toMatchObject({ type: 'counter', value: 49.5 })
    expect(byName['coupon.redeemed']).toMatchObject({ type: 'counter', value: 1 })
    expect(byName['order.created'].trace_id).toMatch(/^[0-9a-f]{32}$/)
    expect(byName['order.created'].attributes).toMatchObject({
      'sentry.environment': { value: 'test', type: 'string' },
      'sentry.release': { value: 'shop@2.0.0', type: 'string' },
      'service.name': { value: 'shop-api', type: 'string' },
    })
    const second = Object.fromEntries((windows[1]!.payload.items as any[]).map((m) => [m.name, m.value]))
    expect(second).toEqual({ 'order.created': 1, 'order.created.amount': 1 })
  })

  it('a window with more counters than one container holds is split into containers of 1 000', async () => {
    const { telltale } = telltaleFor(server, { traceSampleRate: 0, maxEvents: 2000 })
    for (let i = 0; i < 1500; i++) telltale.track(`feature.${i}.used`)
    await telltale.flush()
    await telltale.close()
    expect(server.received).toHaveLength(1)
    const containers = server.items('trace_metric')
    expect(containers.map((c) => c.item.item_count)).toEqual([1000, 500])
    expect(containers.map((c) => c.payload.items.length)).toEqual([1000, 500])
    const names = new Set(containers.flatMap((c) => (c.payload.items as any[]).map((m) => m.name)))
    expect(names.size).toBe(1500)
  })

  it('with rawEvents, each event also arrives as a structured log carrying its properties', async () => {
    const { telltale } = telltaleFor(server, { traceSampleRate: 0, rawEvents: true })
    const scope = telltale.startRequest({ method: 'POST', path: '/checkout' })
    scope.setRoute('/checkout')
    scope.run(() => telltale.track('order.created', { plan: 'pro', amount: 30, trial: false, coupon: null }))
    scope.end(201)
    telltale.track('signup')
    await telltale.flush()
    await telltale.close()

    const logs = server.items('log')
    expect(logs).toHaveLength(1)
    expect(logs[0]!.item).toMatchObject({ item_count: 2, content_type: 'application/vnd.sentry.items.log+json' })
    const [order, signup] = logs[0]!.payload.items as any[]
    expect(order).toMatchObject({ level: 'info', severity_number: 9, body: 'order.created' })
    expect(order.attributes).toMatchObject({
      plan: { value: 'pro', type: 'string' },
      amount: { value: 30, type: 'integer' },
      trial: { value: false, type: 'boolean' },
      'http.route': { value: '/checkout', type: 'string' },
      'telltale.event': { value: 'order.created', type: 'string' },
    })
    expect(order.attributes.coupon).toBeUndefined()
    expect(signup.body).toBe('signup')
    expect(signup.attributes['http.route']).toBeUndefined()
    // The counts still come once, from the window's counters.
    const counters = Object.fromEntries((server.items('trace_metric')[0]!.payload.items as any[]).map((m) => [m.name, m.value]))
    expect(counters).toEqual({ 'order.created': 1, 'order.created.amount': 30, signup: 1 })
  })

  it('a window without business events sends no request of its own', async () => {
    const { telltale } = telltaleFor(server, { traceSampleRate: 0 })
    const scope = telltale.startRequest({ method: 'GET', path: '/' })
    scope.setRoute('/')
    scope.end(200)
    await telltale.flush()
    const stats = telltale.stats()
    await telltale.close()
    expect(server.received).toHaveLength(0)
    expect(stats.transports[0]).toMatchObject({ name: 'sentry', sent: 1, dropped: {} })
  })
})
