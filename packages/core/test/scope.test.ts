import { afterEach, describe, expect, it } from 'vitest'
import type { Telltale } from '../src/index.js'
import { activeScope } from '../src/scope/hub.js'
import { recordSpan } from '../src/scope/record-span.js'
import { sleep, testTelltale } from './helpers.js'

/** What `instrument()`ed clients do: capture the scope at call start, record at the end. */
async function fakeQuery(kind: 'db' | 'cache' | 'http', ms: number): Promise<void> {
  const scope = activeScope()
  const t0 = performance.now()
  await sleep(ms)
  recordSpan(scope, kind, kind === 'db' ? 'postgresql' : kind === 'cache' ? 'redis' : 'http', 'SELECT', `SELECT ${kind}`, undefined, t0, performance.now() - t0, false)
}

describe('request scopes', () => {
  let telltale: Telltale
  afterEach(() => telltale?.close())

  it('1 000 interleaved async requests each get exactly their own spans', async () => {
    ;({ telltale } = testTelltale())
    const routes = ['/a/:id', '/b/:id', '/c/:id', '/d/:id']
    const plan = Array.from({ length: 1000 }, (_, i) => ({ route: routes[i % 4]!, db: i % 3, cache: (i % 5) + 1, http: i % 2, custom: i % 4 === 0 ? 1 : 0 }))
    await Promise.all(
      plan.map((p) => {
        const scope = telltale.startRequest({ method: 'GET', path: `/raw/${Math.random()}` })
        return scope.run(async () => {
          await sleep(Math.random() * 5)
          const calls: Promise<void>[] = []
          for (let i = 0; i < p.db; i++) calls.push(fakeQuery('db', Math.random() * 3))
          for (let i = 0; i < p.cache; i++) {
            await fakeQuery('cache', Math.random() * 2)
          }
          // A call started from a timer callback still belongs to the request.
          for (let i = 0; i < p.http; i++) calls.push(new Promise((resolve) => setTimeout(() => resolve(fakeQuery('http', 1)), 0)))
          await Promise.all(calls)
          if (p.custom) await telltale.span('render', () => sleep(1))
          scope.setRoute(p.route)
          scope.end(200)
        })
      }),
    )
    const snap = telltale.snapshot()
    for (const route of routes) {
      const mine = plan.filter((p) => p.route === route)
      const row = snap.routes.find((r) => r.route === route)!
      expect(row.count).toBe(mine.length)
      expect(row.breakdown.db.count).toBe(mine.reduce((n, p) => n + p.db, 0))
      expect(row.breakdown.cache.count).toBe(mine.reduce((n, p) => n + p.cache, 0))
      expect(row.breakdown.http.count).toBe(mine.reduce((n, p) => n + p.http, 0))
      expect(row.breakdown.custom.count).toBe(mine.reduce((n, p) => n + p.custom, 0))
    }
    expect(snap.routes).toHaveLength(4)
    expect(telltale.stats().lateSpans).toBe(0)
  })

  it('counts a request no route matched under <unmatched>, never the raw path', () => {
    ;({ telltale } = testTelltale())
    for (let i = 0; i < 10_000; i++) telltale.startRequest({ method: 'GET', path: `/random/${i}?q=${i}` }).end(404)
    const snap = telltale.snapshot()
    expect(snap.routes).toHaveLength(1)
    expect(snap.routes[0]).toMatchObject({ method: 'GET', route: '<unmatched>', count: 10_000, errors: 0, statuses: { '4xx': 10_000 } })
  })

  it('end() is idempotent and status classes and errors are counted', () => {
    ;({ telltale } = testTelltale())
    const statuses = [200, 201, 301, 404, 500, 503, 0]
    for (const status of statuses) {
      const s = telltale.startRequest({ method: 'POST', path: '/x' })
      s.setRoute('/x')
      s.end(status)
      s.end(200)
    }
    const err = telltale.startRequest({ method: 'POST', path: '/x' })
    err.setRoute('/x')
    err.setError(new Error('handled as 400'))
    err.end(400)
    const row = telltale.snapshot().routes[0]!
    expect(row.count).toBe(8)
    expect(row.statuses).toEqual({ '2xx': 2, '3xx': 1, '4xx': 2, '5xx': 2, '0xx': 1 })
    expect(row.errors).toBe(3)
    expect(telltale.snapshot().errors).toEqual([expect.objectContaining({ message: 'handled as 400', route: '/x', count: 1 })])
  })

  it('spans after the request ended are counted as late, not attached', async () => {
    ;({ telltale } = testTelltale())
    const scope = telltale.startRequest({ method: 'GET', path: '/' })
    let late!: Promise<void>
    scope.run(() => {
      late = fakeQuery('db', 10)
    })
    scope.setRoute('/')
    scope.end(200)
    await late
    const snap = telltale.snapshot()
    expect(snap.routes[0]!.breakdown.db.count).toBe(0)
    expect(snap.resources).toEqual([expect.objectContaining({ kind: 'db', count: 1 })])
    expect(telltale.stats().lateSpans).toBe(1)
  })

  it('ignored paths are not counted; the query string is not part of the path', () => {
    ;({ telltale } = testTelltale({ ignore: ['/health', /^\/metrics/, (p) => p.startsWith('/internal')] }))
    for (const path of ['/health', '/health?probe=1', '/metrics/x', '/internal/a', '/healthz']) {
      const s = telltale.startRequest({ method: 'GET', path })
      s.run(() => s.setRoute(path.split('?')[0]!))
      s.end(200)
    }
    expect(telltale.snapshot().routes.map((r) => r.route)).toEqual(['/healthz'])
  })

  it('caps distinct routes; the overflow goes to <other> and is counted', () => {
    ;({ telltale } = testTelltale({ maxRoutes: 3 }))
    for (let i = 0; i < 10; i++) {
      const s = telltale.startRequest({ method: 'GET' })
      s.setRoute(`/r${i}`)
      s.end(200)
    }
    const routes = telltale.snapshot().routes
    expect(routes.map((r) => r.route).sort()).toEqual(['/r0', '/r1', '/r2', '<other>'])
    expect(routes.find((r) => r.route === '<other>')!.count).toBe(7)
    expect(telltale.stats().overflow.routes).toBe(7)
  })

  it('caps distinct resources and events the same way', () => {
    ;({ telltale } = testTelltale({ maxResources: 2, maxEvents: 2 }))
    for (let i = 0; i < 5; i++) {
      recordSpan(undefined, 'db', 'postgresql', 'SELECT', `SELECT ${i}`, undefined, 0, 1, false)
      telltale.track(`event.${i}`)
    }
    const snap = telltale.snapshot()
    expect(snap.resources.map((r) => r.statement).sort()).toEqual(['<other>', 'SELECT 0', 'SELECT 1'])
    expect(snap.resources.find((r) => r.statement === '<other>')!.count).toBe(3)
    expect(snap.events.find((e) => e.name === '<other>')!.count).toBe(3)
    expect(telltale.stats().overflow).toEqual({ routes: 0, resources: 3, events: 3 })
  })

  it('track() counts events and sums numeric properties', () => {
    ;({ telltale } = testTelltale())
    telltale.track('order.created', { plan: 'pro', amount: 10 })
    telltale.track('order.created', { plan: 'free', amount: 2.5, items: 3 })
    telltale.track('coupon.redeemed')
    expect(telltale.snapshot().events).toEqual([
      { name: 'order.created', count: 2, sums: { amount: 12.5, items: 3 } },
      { name: 'coupon.redeemed', count: 1, sums: {} },
    ])
  })
})

describe('span()', () => {
  let telltale: Telltale
  afterEach(() => telltale?.close())

  it('returns exactly what fn returns: the same value, the same promise, the same error', async () => {
    ;({ telltale } = testTelltale())
    const p = Promise.resolve(7)
    expect(telltale.span('a', () => p)).toBe(p)
    const obj = { x: 1 }
    expect(telltale.span('b', () => obj)).toBe(obj)
    const boom = new Error('boom')
    expect(() =>
      telltale.span('c', () => {
        throw boom
      }),
    ).toThrow(boom)
    const rejected = Promise.reject(boom)
    const returned = telltale.span('d', () => rejected)
    expect(returned).toBe(rejected)
    await expect(returned).rejects.toBe(boom)
    await sleep(1)
    const byName = Object.fromEntries(telltale.snapshot().resources.map((r) => [r.statement, r]))
    expect(byName.a).toMatchObject({ kind: 'custom', count: 1, errors: 0 })
    expect(byName.c).toMatchObject({ count: 1, errors: 1 })
    expect(byName.d).toMatchObject({ count: 1, errors: 1 })
  })

  it('does not call then() on thenables that are not promises', () => {
    ;({ telltale } = testTelltale())
    let thenCalls = 0
    const builder = { then: () => thenCalls++ }
    expect(telltale.span('q', () => builder)).toBe(builder)
    expect(thenCalls).toBe(0)
  })

  it('inside a request adds to its breakdown; the time is measured', async () => {
    ;({ telltale } = testTelltale())
    const scope = telltale.startRequest({ method: 'GET' })
    await scope.run(() => telltale.span('render', () => sleep(30)))
    scope.setRoute('/page')
    scope.end(200)
    const row = telltale.snapshot().routes[0]!
    expect(row.breakdown.custom.count).toBe(1)
    expect(row.breakdown.custom.ms).toBeGreaterThanOrEqual(29)
    expect(row.p50).toBeGreaterThanOrEqual(29)
  })

  it('counts under the kind and system given, for clients instrument() does not know', async () => {
    ;({ telltale } = testTelltale())
    const cache = new Map([['k', 'v']])
    const scope = telltale.startRequest({ method: 'GET' })
    const value = scope.run(() => telltale.span('GET', () => cache.get('k'), { kind: 'cache', system: 'in-process' }))
    scope.setRoute('/p')
    scope.end(200)
    expect(value).toBe('v')
    const row = telltale.snapshot().routes[0]!
    expect(row.breakdown.cache.count).toBe(1)
    expect(row.breakdown.custom.count).toBe(0)
    expect(telltale.snapshot().resources).toEqual([expect.objectContaining({ kind: 'cache', system: 'in-process', statement: 'GET', count: 1 })])
  })

  it('reports bad span options and counts the span as custom', () => {
    const { telltale: t, internal } = testTelltale()
    telltale = t
    expect(t.span('x', () => 1, { kind: 'queue' as never })).toBe(1)
    expect(String(internal[0])).toMatch(/span\(name, fn, options\) expects options \{ kind\?: db \| cache \| http \| custom, system\?: non-empty string \}; received an object/)
    expect(t.snapshot().resources[0]).toMatchObject({ kind: 'custom', system: 'app' })
  })

  it('throws a TypeError when there is nothing to run, like the bare call would', () => {
    ;({ telltale } = testTelltale())
    expect(() => telltale.span('x', 'nope' as never)).toThrow(/span\(name, fn\) expects fn to be a function; received "nope"/)
  })
})

describe('bad runtime arguments never throw into the app', () => {
  it('are reported to onInternalError with a clear message and ignored', async () => {
    const { telltale, internal } = testTelltale()
    telltale.track('' as string)
    telltale.track('ok', 'props' as never)
    const s = telltale.startRequest(null as never)
    s.setRoute(42 as never)
    s.end(200)
    expect(internal.map(String)).toEqual([
      'TypeError: @telltale/core: track(name, props) expects a name of 1 to 200 characters; received ""',
      'TypeError: @telltale/core: track("ok", props) expects props to be a plain object; received "props"',
      "TypeError: Cannot read properties of null (reading 'method')",
    ])
    expect(telltale.snapshot().events).toEqual([])
    await telltale.close()
  })
})
