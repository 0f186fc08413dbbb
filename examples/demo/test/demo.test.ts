import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SLOW_MS } from 'example-shop/constants'
import { afterAll, describe, expect, it } from 'vitest'

const cli = fileURLToPath(new URL('../cli.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'telltale-demo-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Row {
  method: string
  route: string
  count: number
  statuses: Record<string, number>
}
interface CollectorRow extends Row {
  errors: number
  p50: number
  breakdown: Record<'db' | 'cache' | 'http' | 'custom', { count: number; ms: number }>
}
interface Report {
  setup: { framework: string; cacheEmbedded: boolean; databaseEmbedded: boolean; lines: Record<string, string> }
  load: { requests: number; routes: Row[] }
  telltale: {
    routes: CollectorRow[]
    events: { name: string; count: number }[]
    errors: { name: string; message: string; method: string | null; route: string | null; count: number }[]
  }
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

const key = (r: { method: string; route: string }) => `${r.method} ${r.route}`

// Every route of the shop; the load generator asks for each within its first nine requests.
const ROUTES = ['GET /products', 'GET /products/:id', 'GET /products/:id/stock', 'POST /orders', 'GET /reports/sales', 'POST /checkout', 'GET <unmatched>'].sort()

// One run per framework, each with a different setup, so every mode is exercised:
// real PostgreSQL and Redis with the embedded collector, the full Redis pipeline, all embedded.
const RUNS: { framework: string; flags: string[] }[] = [
  { framework: 'express', flags: [] },
  { framework: 'koa', flags: ['--redis'] },
  { framework: 'fastify', flags: ['--embedded'] },
  { framework: 'nestjs', flags: [] },
]

describe.each(RUNS)('npm run demo -- --framework $framework $flags', ({ framework, flags }) => {
  it("reports exactly the requests the load generator made, per route, with each route's time and breakdown", async () => {
    const json = join(dir, `${framework}.json`)
    const { code, stdout, stderr } = await run(['--framework', framework, '--duration', '2', '--connections', '4', '--json', json, ...flags])
    expect(code, stderr).toBe(0)
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report
    const { load, telltale } = report
    expect(report.setup.framework).toBe(framework)

    // Every request the load generator made was answered, and counted once under its route.
    expect(load.routes.every((r) => r.statuses['no answer'] === undefined)).toBe(true)
    const seen = new Map(telltale.routes.map((r) => [key(r), r]))
    expect([...seen.keys()].sort()).toEqual(load.routes.map(key).sort())
    for (const sent of load.routes) {
      const counted = seen.get(key(sent))!
      expect({ route: key(sent), count: counted.count, statuses: counted.statuses }).toEqual({ route: key(sent), count: sent.count, statuses: sent.statuses })
      expect(counted.errors).toBe(sent.statuses['5xx'] ?? 0)
    }
    expect(telltale.routes.reduce((n, r) => n + r.count, 0)).toBe(load.requests)
    expect(load.routes.map(key).sort()).toEqual(ROUTES)

    // Where the time went: one supplier call per stock request, one INSERT per order placed,
    // a cache lookup per product request (Redis, or the in-process cache timed as kind 'cache').
    const stock = seen.get('GET /products/:id/stock')!
    expect(stock.breakdown.http.count).toBe(stock.count)
    const orders = seen.get('POST /orders')!
    expect(orders.breakdown.db.count).toBe(orders.statuses['2xx'])
    const products = seen.get('GET /products')!
    expect(products.breakdown.cache.count).toBeGreaterThanOrEqual(products.count)
    expect(seen.get('GET <unmatched>')!.statuses).toEqual({ '4xx': seen.get('GET <unmatched>')!.count })

    // The slow route sleeps SLOW_MS; the sketch's relative error is 1% and timers may fire a
    // millisecond early.
    expect(seen.get('GET /reports/sales')!.p50).toBeGreaterThanOrEqual(SLOW_MS * 0.98)

    // Business events and errors, from the same collector API.
    expect(telltale.events).toEqual([{ name: 'order.created', count: orders.statuses['2xx'], sums: expect.any(Object) }])
    const checkout = seen.get('POST /checkout')!
    expect(telltale.errors.every((e) => e.name === 'PaymentError' && e.method === 'POST' && e.route === '/checkout')).toBe(true)
    expect(telltale.errors.reduce((n, e) => n + e.count, 0)).toBe(checkout.count)

    // The printed report says the same, and where the collector's API is.
    for (const r of telltale.routes) expect(stdout).toMatch(new RegExp(`^  ${key(r).replace(/[/<>:]/g, '\\$&')} +${r.count} `, 'm'))
    expect(stdout).toContain(`Telltale counted ${load.requests}.`)
    expect(stdout).toMatch(/^Collector API: http:\/\/127\.0\.0\.1:\d+\/api\/routes\?service=shop-api/m)
    if (flags.includes('--embedded')) {
      expect(report.setup).toMatchObject({ databaseEmbedded: true, cacheEmbedded: true })
      expect(stdout).toMatch(/database +PGlite \(embedded/)
      expect(stdout).toMatch(/cache +in-process map \(embedded/)
    } else {
      expect(report.setup).toMatchObject({ databaseEmbedded: false, cacheEmbedded: false })
      expect(stdout).toMatch(/database +PostgreSQL at /)
    }
    expect(report.setup.lines.pipeline).toMatch(flags.includes('--redis') ? /telltale-collector process/ : /embedded in the app process/)
  })
})

describe('demo flags', () => {
  it.each([
    [['--framework', 'rails'], /--framework must be one of express, koa, fastify, nestjs; received "rails"/],
    [['--duration', 'ten'], /--duration must be a whole number from 1 to 3600; received "ten"/],
    [['--connections', '0'], /--connections must be a whole number from 1 to 256; received "0"/],
    [['--redis', '--embedded'], /--redis and --embedded exclude each other/],
    [['--verbose'], /Unknown option '--verbose'/],
  ])('%j is refused with exit code 2 and says what is accepted', async (args, message) => {
    const { code, stderr, stdout } = await run(args)
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
    expect(stderr).toContain('Usage: npm run demo')
    expect(stdout).toBe('')
  })
})
