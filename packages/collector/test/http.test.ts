import { createTelltale } from '@telltale/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCollector, type Collector } from '../src/index.js'

const TOKEN = 'secret-token-123'
let collector: Collector
const auth = { authorization: `Bearer ${TOKEN}` }
const get = (path: string, headers: Record<string, string> = auth) => fetch(`${collector.url}${path}`, { headers })

beforeAll(async () => {
  collector = createCollector({ store: 'memory', port: 0, token: TOKEN })
  await collector.start()
  const telltale = createTelltale({ service: 'web <b>', transports: [collector.transport], flushIntervalMs: 3_600_000 })
  for (const [route, status] of [['/a"b\\c', 200], ['<script>alert(1)</script>', 500], ['/plain', 200]] as const) {
    const scope = telltale.startRequest({ method: 'GET', path: '/' })
    scope.run(() => {
      scope.setRoute(route)
      if (status === 500) scope.setError(new Error('<img src=x onerror=alert(1)>'))
      scope.end(status)
    })
  }
  await telltale.close()
})

afterAll(() => collector.close())

describe('HTTP API', () => {
  it('binds 127.0.0.1 by default', () => {
    expect(collector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('requires the bearer token on every endpoint when one is set', async () => {
    for (const path of ['/api/services', '/metrics', '/', '/api/routes?service=x']) {
      const missing = await get(path, {})
      expect(missing.status).toBe(401)
      expect(missing.headers.get('www-authenticate')).toBe('Bearer')
      expect(await missing.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } })
      expect((await get(path, { authorization: 'Bearer wrong-token-xyz' })).status).toBe(401)
    }
    expect((await get('/api/services')).status).toBe(200)
  })

  it('answers bad queries with 400 and a JSON error', async () => {
    const cases = [
      '/api/routes',
      '/api/routes?service=web&from=yesterday',
      '/api/routes?service=web&from=2000&to=1000',
      '/api/routes?service=web&from=0',
      '/api/traces?service=web&limit=0',
      '/api/routes?service=a&service=b',
    ]
    for (const path of cases) {
      const res = await get(path)
      expect(res.status, path).toBe(400)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      const body = (await res.json()) as { error: { code: string; message: string } }
      expect(body.error.code).toBe('bad_request')
      expect(body.error.message.length).toBeGreaterThan(5)
    }
    expect((await get('/nope')).status).toBe(404)
    expect((await fetch(`${collector.url}/api/services`, { method: 'POST', headers: auth })).status).toBe(405)
  })

  it('serves routes with counts, rpm, errors, percentiles and breakdown', async () => {
    const res = await get(`/api/routes?service=${encodeURIComponent('web <b>')}&from=${new Date(Date.now() - 600_000).toISOString()}`)
    const body = (await res.json()) as { resolution: string; routes: Record<string, unknown>[] }
    expect(body.resolution).toBe('minute')
    expect(body.routes).toHaveLength(3)
    expect(body.routes.find((r) => r.route === '<script>alert(1)</script>')).toMatchObject({ count: 1, errors: 1, rpm: 0.1, breakdown: { db: { count: 0, ms: 0 } } })
    const errors = (await (await get(`/api/errors?service=${encodeURIComponent('web <b>')}`)).json()) as { errors: { message: string; count: number }[] }
    expect(errors.errors).toMatchObject([{ message: '<img src=x onerror=alert(1)>', count: 1 }])
  })

  it('escapes everything the dashboard renders', async () => {
    const res = await get('/')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await res.text()
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('web &lt;b&gt;')
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img')
    expect(html).not.toContain('web <b>')
  })

  it('serves /metrics in the Prometheus text format with escaped route labels', async () => {
    const res = await get('/metrics')
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await res.text()
    expect(text).toContain('# TYPE telltale_requests_total counter')
    expect(text).toContain('telltale_requests_total{service="web <b>",method="GET",route="/a\\"b\\\\c",status="2xx"} 1')
    expect(text).toContain('telltale_request_errors_total{service="web <b>",method="GET",route="<script>alert(1)</script>",status="5xx"} 1')
    expect(text).toMatch(/telltale_request_duration_milliseconds\{service="web <b>",method="GET",route="\/plain",quantile="0.99"\} [\d.]+\n/)
    // Every sample line is `name{labels} value`.
    for (const line of text.trim().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(/^[a-z_]+(\{.*\})? -?[\d.e+-]+$/)
    }
  })
})
