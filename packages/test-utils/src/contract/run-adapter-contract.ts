import { setTimeout as sleep } from 'node:timers/promises'
import { createTelltale, instrument, memoryTransport, UNMATCHED, type SnapshotRoute, type Telltale } from '@telltale/core'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { databaseUrl, redisUrl, uniqueName } from '../services.js'
import { contractContext, HANG_MS, SLOW_MS, STREAM_STEP_MS } from './context.js'
import type { AdapterHarness, RunningApp } from './harness.js'
import { abortedRequest, httpRequest, requestMany } from './http.js'

/** Polls until `fn` returns a value (not undefined), or fails after `timeoutMs`. */
async function eventually<T>(fn: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = fn()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error('the contract needs --expose-gc (vitest config: test.execArgv)')
  collect()
}

/**
 * The behaviour every Telltale adapter owes its users, checked against a real framework
 * instance over real HTTP. Each adapter's test file supplies only a harness.
 */
export function runAdapterContract(harness: AdapterHarness): void {
  describe(`adapter contract: ${harness.name}`, () => {
    let pool: pg.Pool
    let redis: Redis
    const key = uniqueName('telltale_contract')
    let telltale: Telltale
    let app: RunningApp
    let kept: WeakRef<object> | undefined
    let hangsDone = 0

    beforeAll(async () => {
      pool = instrument(new pg.Pool({ connectionString: databaseUrl(), max: 2 }))
      redis = instrument(new Redis(redisUrl(), { lazyConnect: true }))
      await redis.connect()
      await redis.set(key, 'value', 'EX', 300)
    })

    afterAll(async () => {
      await redis?.del(key)
      redis?.disconnect()
      await pool?.end()
    })

    beforeEach(async () => {
      telltale = createTelltale({ service: 'contract', transports: [memoryTransport()], ignore: ['/health'] })
      kept = undefined
      hangsDone = 0
      const clients = { query: (sql: string) => pool.query(sql), get: (k: string) => redis.get(k), key }
      app = await harness.start(contractContext(telltale, clients, (o) => (kept = new WeakRef(o)), () => hangsDone++))
    })

    afterEach(async () => {
      await app.close()
      await telltale.close()
    })

    const get = (path: string, fresh = false) => httpRequest(app.url + path, { fresh })
    const row = (route: string, method = 'GET'): SnapshotRoute | undefined =>
      telltale.snapshot().routes.find((r) => r.method === method && r.route === route)
    /** The row once it has counted `count` requests (a response can reach the client just before its 'finish'). */
    const counted = (route: string, count: number, method = 'GET') =>
      eventually(() => {
        const r = row(route, method)
        return r !== undefined && r.count >= count ? r : undefined
      }, `${count} request(s) on ${method} ${route}; rows: ${JSON.stringify(telltale.snapshot().routes.map((r) => [r.method, r.route, r.count]))}`)
    const routeNames = () => telltale.snapshot().routes.map((r) => r.route)

    describe('route templates', () => {
      it('names static, parameter, three-level nested and mounted routes by their template', async () => {
        expect((await get('/static')).status).toBe(200)
        expect((await get('/users/42')).status).toBe(200)
        expect((await get('/users/43')).status).toBe(200)
        expect((await get('/api/shops/17/orders/99')).status).toBe(200)
        expect((await get('/admin/stats')).status).toBe(200)
        expect((await counted('/static', 1)).count).toBe(1)
        expect((await counted('/users/:id', 2)).count).toBe(2)
        expect((await counted('/api/shops/:shopId/orders/:id', 1)).count).toBe(1)
        expect((await counted('/admin/stats', 1)).count).toBe(1)
        expect(routeNames().sort()).toEqual(['/admin/stats', '/api/shops/:shopId/orders/:id', '/static', '/users/:id'])
      })

      it('gives array, regular-expression and wildcard routes a stable name without raw values', async () => {
        const [nameA, nameB] = harness.templates.array
        expect((await get('/alias-a')).status).toBe(200)
        expect((await get('/alias-b')).status).toBe(200)
        expect((await get('/files/report-1.pdf')).status).toBe(200)
        expect((await get('/files/report-2.pdf')).status).toBe(200)
        expect((await get('/assets/css/site.css')).status).toBe(200)
        expect((await get('/assets/js/app.js')).status).toBe(200)
        if (nameA === nameB) expect((await counted(nameA, 2)).count).toBe(2)
        else {
          expect((await counted(nameA, 1)).count).toBe(1)
          expect((await counted(nameB, 1)).count).toBe(1)
        }
        expect((await counted(harness.templates.regexp, 2)).count).toBe(2)
        expect((await counted(harness.templates.wildcard, 2)).count).toBe(2)
        for (const name of routeNames()) expect(name).not.toMatch(/report-|site\.css|app\.js/)
      })
    })

    describe('counts and status classes', () => {
      it('counts 2xx, 3xx, a 4xx from the framework and an explicit 500 in their classes', async () => {
        expect((await get('/static')).status).toBe(200)
        expect((await get('/redirect')).status).toBe(302)
        const bad = await httpRequest(`${app.url}/echo`, { method: 'POST', body: '{"broken', headers: { 'content-type': 'application/json' } })
        expect(bad.status).toBe(400)
        const good = await httpRequest(`${app.url}/echo`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })
        expect(JSON.parse(good.body)).toEqual({ a: 1 })
        expect((await get('/explicit-500')).status).toBe(500)

        expect((await counted('/static', 1)).statuses).toEqual({ '2xx': 1 })
        expect((await counted('/redirect', 1)).statuses).toEqual({ '3xx': 1 })
        const echo = await counted('/echo', 2, 'POST')
        expect(echo.statuses).toEqual({ '2xx': 1, '4xx': 1 })
        expect(echo.errors).toBe(0)
        const explicit = await counted('/explicit-500', 1)
        expect(explicit.statuses).toEqual({ '5xx': 1 })
        expect(explicit.errors).toBe(1)
        expect(telltale.snapshot().errors.filter((e) => e.route === '/explicit-500')).toEqual([])
      })

      it(`counts 10 000 random unmatched paths in one ${UNMATCHED} row, never by raw URL`, async () => {
        const statuses = await requestMany((i) => `${app.url}/nope-${i}-${Math.random().toString(36).slice(2)}`, 10_000, 32)
        expect(statuses.every((s) => s === 404)).toBe(true)
        const unmatched = await counted(UNMATCHED, 10_000)
        expect(unmatched.count).toBe(10_000)
        expect(unmatched.statuses).toEqual({ '4xx': 10_000 })
        expect(telltale.snapshot().routes).toHaveLength(1)
      })

      it('does not count ignored paths', async () => {
        expect((await get('/health')).status).toBe(200)
        expect((await get('/health')).status).toBe(200)
        expect((await get('/static')).status).toBe(200)
        await counted('/static', 1)
        await sleep(20)
        expect(routeNames()).toEqual(['/static'])
      })
    })

    describe('errors', () => {
      it.each([
        ['a sync throw', '/fail-sync', 'sync failure'],
        ['an async rejection', '/fail-async', 'async failure'],
        ['an error passed on', '/fail-next', 'passed failure'],
      ])('counts %s as a failed 5xx and captures the error with its route', async (_kind, path, message) => {
        expect((await get(path)).status).toBe(500)
        const r = await counted(path, 1)
        expect(r.errors).toBe(1)
        expect(r.statuses).toEqual({ '5xx': 1 })
        const captured = telltale.snapshot().errors.filter((e) => e.message === message)
        expect(captured).toEqual([expect.objectContaining({ name: 'Error', route: path, count: 1 })])
      })

      it('counts an error the app turns into a 4xx as a 4xx, not a failure', async () => {
        expect((await get('/handled')).status).toBe(422)
        const r = await counted('/handled', 1)
        expect(r.statuses).toEqual({ '4xx': 1 })
        expect(r.errors).toBe(0)
        expect(telltale.snapshot().errors).toEqual([])
      })
    })

    describe('timing', () => {
      it(`shows p50 >= ${SLOW_MS} ms for a handler that waits ${SLOW_MS} ms`, async () => {
        for (let i = 0; i < 3; i++) expect((await get('/slow')).status).toBe(200)
        const r = await counted('/slow', 3)
        expect(r.p50).toBeGreaterThanOrEqual(SLOW_MS * 0.99) // the sketch's stated 1% relative error
      })

      it("puts database and cache calls in the route's breakdown", async () => {
        expect((await get('/db')).status).toBe(200)
        expect((await get('/db')).status).toBe(200)
        const r = await counted('/db', 2)
        expect(r.breakdown.db.count).toBe(2)
        expect(r.breakdown.cache.count).toBe(2)
        expect(r.breakdown.db.ms).toBeGreaterThan(0)
        expect(r.breakdown.cache.ms).toBeGreaterThan(0)
      })

      it('times a streaming response to its last byte', async () => {
        const res = await get('/stream')
        expect(res.body).toBe('ab')
        const r = await counted('/stream', 1)
        expect(r.p50).toBeGreaterThanOrEqual(2 * STREAM_STEP_MS * 0.99)
      })
    })

    describe('lifecycle', () => {
      /** True once GC has collected the request object the handler kept. */
      async function requestObjectCollected(): Promise<boolean> {
        const ref = await eventually(() => kept, 'the request object')
        kept = undefined
        // The server lets go of a connection's last request a little after the response.
        for (let i = 0; i < 100 && ref.deref() !== undefined; i++) {
          await sleep(20)
          gc()
        }
        return ref.deref() === undefined
      }

      it('counts a request the client aborted once, as 499, not again when the handler finishes, and frees it', async () => {
        await abortedRequest(`${app.url}/hang`, eventually(() => kept, 'the handler of GET /hang'))
        const r = await counted('/hang', 1)
        expect(r.statuses).toEqual({ '4xx': 1 })
        expect(r.errors).toBe(0)
        // The handler wakes up and tries to answer the client that left.
        await eventually(() => (hangsDone === 1 ? true : undefined), 'the handler to finish', HANG_MS + 3000)
        await sleep(20)
        expect(row('/hang')?.count).toBe(1)
        expect(await requestObjectCollected()).toBe(true)
      })

      it("holds nothing of the framework's request object after the response", async () => {
        expect((await get('/weak', true)).status).toBe(200)
        await counted('/weak', 1)
        expect(await requestObjectCollected()).toBe(true)
      })
    })
  })
}
