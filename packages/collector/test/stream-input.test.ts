import { LatencySketch, type MetricsRecord, type RouteMetrics } from '@telltale/core'
import { redisTransport } from '@telltale/transport-redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, CollectorProcess, SHARED_REDIS, testNames } from './helpers/pipeline.js'
import { getJson, waitFor } from './helpers/processes.js'

const names = testNames('input')
let collector: CollectorProcess
let redis: Redis
const transport = redisTransport({ url: SHARED_REDIS, key: names.stream })

beforeAll(async () => {
  redis = new Redis(SHARED_REDIS)
  collector = await CollectorProcess.start(['--redis', SHARED_REDIS, '--stream', names.stream, '--group', names.group, '--prefix', names.prefix, '--consumer', 'solo'])
})

afterAll(async () => {
  await collector?.stop()
  await transport.close?.()
  await redis.unlink(names.stream, `${names.stream}:dead`)
  redis.disconnect()
  await cleanup(SHARED_REDIS, names.prefix)
})

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const empty = { count: 0, ms: 0 }

function window(service: string, instance: string, seq: number, routes: RouteMetrics[]): MetricsRecord {
  const t = Date.now()
  return { v: 1, type: 'metrics', service, environment: 'test', instance, time: t, seq, start: t - 1_000, end: t, routes, resources: [], events: [], dropped: {} }
}

interface Answer {
  routes: { route: string; count: number; p50: number; p95: number; p99: number }[]
}

const routesOf = (service: string) => getJson<Answer>(`${collector.url}/api/routes?service=${service}&from=${Date.now() - 600_000}&to=${Date.now() + 60_000}`)

describe('stream input', () => {
  it('percentiles over the merged windows of many instances are within 1% of the exact ones', async () => {
    const service = 'percentiles'
    const random = rng(42)
    // Two routes with different shapes: a log-normal body, and one with a slow tail.
    const shapes: Record<string, () => number> = {
      '/fast': () => Math.exp(Math.log(8) + 0.6 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())),
      '/tail': () => (random() < 0.04 ? 200 + random() * 1800 : 5 + random() * 45),
    }
    const raw: Record<string, number[]> = { '/fast': [], '/tail': [] }
    const records: MetricsRecord[] = []
    for (let instance = 0; instance < 60; instance++) {
      for (let seq = 1; seq <= 4; seq++) {
        const routes = Object.entries(shapes).map(([route, draw]): RouteMetrics => {
          const sketch = new LatencySketch()
          const n = 50 + Math.floor(random() * 400)
          for (let i = 0; i < n; i++) {
            const v = draw()
            sketch.add(v)
            raw[route]!.push(v)
          }
          return { method: 'GET', route, status: '2xx', count: n, errors: 0, latency: sketch.toJSON(), breakdown: { db: empty, cache: empty, http: empty, custom: empty } }
        })
        records.push(window(service, `host/${instance}/p`, seq, routes))
      }
    }
    for (let i = 0; i < records.length; i += 100) await transport.send(records.slice(i, i + 100))
    const total = raw['/fast']!.length + raw['/tail']!.length
    const answer = await waitFor(() => routesOf(service), (a) => a.routes.reduce((n, r) => n + r.count, 0) === total)
    for (const [route, values] of Object.entries(raw)) {
      const sorted = values.slice().sort((a, b) => a - b)
      const row = answer.routes.find((r) => r.route === route)!
      expect(row.count).toBe(values.length)
      for (const [q, got] of [[0.5, row.p50], [0.95, row.p95], [0.99, row.p99]] as const) {
        const exact = sorted[Math.floor(q * (sorted.length - 1))]!
        // The API rounds to 1 µs; the sketch guarantees 1%.
        expect(Math.abs(got - exact) / exact, `${route} p${q * 100}: api ${got}, exact ${exact}`).toBeLessThanOrEqual(0.01 + 0.001 / exact)
      }
    }
  })

  it('dead-letters and counts garbage, processes the rest, and keeps running', async () => {
    const service = 'garbage'
    const good = (seq: number, count: number): MetricsRecord => {
      const sketch = new LatencySketch()
      for (let i = 0; i < count; i++) sketch.add(1 + i)
      return window(service, 'h/1/a', seq, [{ method: 'GET', route: '/ok', status: '2xx', count, errors: 0, latency: sketch.toJSON(), breakdown: { db: empty, cache: empty, http: empty, custom: empty } }])
    }
    const valid = good(1, 3)
    const garbage: string[][] = [
      ['record', 'not json at all {'],
      ['record', JSON.stringify({ ...valid, v: 2 })],
      ['record', JSON.stringify({ ...valid, seq: undefined })],
      ['record', JSON.stringify({ ...valid, type: 'mystery' })],
      ['record', JSON.stringify({ ...good(9, 2), routes: [{ ...good(9, 2).routes[0]!, count: 5 }] })],
      ['record', `"${'x'.repeat(5 * 1024 * 1024)}"`],
      ['something', 'else'],
      ['record', '\u0000\u0001\ufffd'],
      ['record', 'null'],
    ]
    await transport.send([valid])
    for (const fields of garbage) await redis.xadd(names.stream, '*', ...fields)
    await transport.send([good(2, 4)])
    const answer = await waitFor(() => routesOf(service), (a) => a.routes[0]?.count === 7)
    expect(answer.routes).toHaveLength(1)
    type Totals = { totals: Record<string, number> }
    const { totals } = await waitFor(() => getJson<Totals>(`${collector.url}/api/collector`), (t) => t.totals.dead_lettered === garbage.length)
    expect(totals).toMatchObject({ 'dead:not_json': 2, 'dead:wrong_version': 1, 'dead:missing_fields': 1, 'dead:unknown_type': 1, 'dead:bad_values': 2, 'dead:too_large': 1, 'dead:no_record_field': 1 })
    expect(await redis.xlen(`${names.stream}:dead`)).toBe(garbage.length)
    const [first] = (await redis.xrange(`${names.stream}:dead`, '-', '+', 'COUNT', 1)) as [string, string[]][]
    expect(first![1].slice(0, 2)).toEqual(['reason', 'not_json'])
    const metrics = await (await fetch(`${collector.url}/metrics`)).text()
    expect(metrics).toContain('telltale_collector_dead_lettered_total{reason="too_large"} 1')
    expect(collector.spawned.proc.exitCode).toBeNull()
    // Still consuming after all that.
    await transport.send([good(3, 1)])
    await waitFor(() => routesOf(service), (a) => a.routes[0]?.count === 8)
  })
})
