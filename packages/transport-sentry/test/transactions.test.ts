import { createServer, get as httpGet } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { TraceRecord } from '@telltale/core'
import { sentryTransport } from '../src/index.js'
import { PUBLIC_KEY, PROJECT_ID, useEnvelopeServer } from './envelope-server.js'
import { sleep, telltaleFor, traceRecord } from './helpers.js'

const server = useEnvelopeServer()

describe('trace records become Sentry transactions', () => {
  it('names the transaction by route template, with its spans, status and a matching trace header', async () => {
    const { telltale } = telltaleFor(server)
    const scope = telltale.startRequest({ method: 'GET', path: '/users/17' })
    await scope.run(async () => {
      await telltale.span('load-user', async () => sleep(20))
      await telltale.span('render', async () => sleep(5))
    })
    scope.setRoute('/users/:id')
    scope.end(200)
    expect(await telltale.flush()).toBe(true)
    await telltale.close()

    const [tx] = server.items('transaction')
    expect(server.items('transaction')).toHaveLength(1)
    const event = tx!.payload
    expect(event.type).toBe('transaction')
    expect(event.transaction).toBe('GET /users/:id')
    expect(event.transaction_info).toEqual({ source: 'route' })
    expect(event.contexts.trace.op).toBe('http.server')
    expect(event.contexts.trace.status).toBe('ok')
    expect(event.contexts.trace.trace_id).toMatch(/^[0-9a-f]{32}$/)
    expect(event.environment).toBe('test')
    expect(event.tags.service).toBe('shop-api')

    // The envelope's trace header belongs to this transaction and tells Sentry its weight.
    expect(tx!.headers.event_id).toBe(event.event_id)
    expect(tx!.headers.trace).toMatchObject({
      trace_id: event.contexts.trace.trace_id,
      public_key: PUBLIC_KEY,
      sample_rate: '1',
      sampled: 'true',
      transaction: 'GET /users/:id',
      environment: 'test',
    })

    const spans = event.spans as any[]
    expect(spans.map((s) => [s.op, s.description])).toEqual([
      ['function', 'load-user'],
      ['function', 'render'],
    ])
    for (const s of spans) {
      expect(s.trace_id).toBe(event.contexts.trace.trace_id)
      expect(s.parent_span_id).toBe(event.contexts.trace.span_id)
      expect(s.status).toBe('ok')
      expect(s.start_timestamp).toBeGreaterThanOrEqual(event.start_timestamp)
      expect(s.timestamp).toBeLessThanOrEqual(event.timestamp + 0.001)
    }
    // load-user slept 20 ms: its duration in seconds says so.
    expect(spans[0].timestamp - spans[0].start_timestamp).toBeGreaterThanOrEqual(0.019)
    expect(spans[1].start_timestamp).toBeGreaterThanOrEqual(spans[0].timestamp - 0.001)
    expect(event.timestamp - event.start_timestamp).toBeGreaterThanOrEqual(0.024)
  })

  it('an outbound request made during the request arrives as an http.client span', async () => {
    const upstream = createServer((_req, res) => res.end('ok'))
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
    const { port } = upstream.address() as AddressInfo
    try {
      const { telltale } = telltaleFor(server)
      const scope = telltale.startRequest({ method: 'GET', path: '/proxy' })
      await scope.run(async () => {
        await new Promise<void>((resolve, reject) => {
          httpGet(`http://127.0.0.1:${port}/inventory?sku=secret`, (res) => res.resume().once('end', resolve)).once('error', reject)
        })
      })
      scope.setRoute('/proxy')
      scope.end(200)
      await telltale.flush()
      // The transport's own POST to the envelope endpoint is not one of the app's resources.
      const http = telltale.snapshot().resources.filter((r) => r.kind === 'http')
      expect(http.map((r) => r.statement)).toEqual([`GET 127.0.0.1:${port}`])
      await telltale.close()
      const spans = server.items('transaction')[0]!.payload.spans as any[]
      expect(spans).toHaveLength(1)
      expect(spans[0]).toMatchObject({
        op: 'http.client',
        description: `GET 127.0.0.1:${port}`,
        status: 'ok',
        data: { 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'server.port': port },
      })
      expect(JSON.stringify(spans[0])).not.toContain('secret')
    } finally {
      await new Promise<void>((r) => upstream.close(() => r()))
    }
  })

  it('sends the rate each trace was kept at: head-sampled ones their rate, failed and slow ones 1', async () => {
    const { telltale } = telltaleFor(server, { traceSampleRate: 0.5, slowThresholdMs: 30 })
    const statuses = Array.from({ length: 60 }, (_, i) => (i % 6 === 0 ? 500 : 200))
    for (const status of statuses) {
      const scope = telltale.startRequest({ method: 'POST', path: '/orders' })
      scope.setRoute('/orders')
      scope.end(status)
    }
    const slow = telltale.startRequest({ method: 'GET', path: '/report' })
    await sleep(35)
    slow.setRoute('/report')
    slow.end(200)
    await telltale.flush()
    await telltale.close()

    const txs = server.items('transaction')
    const byReason = (reason: string) => txs.filter((t) => t.payload.tags['telltale.reason'] === reason)
    // Every failed request and the slow one are kept whatever the sampling: weight 1.
    expect(byReason('error')).toHaveLength(10)
    expect(byReason('slow')).toHaveLength(1)
    for (const t of [...byReason('error'), ...byReason('slow')]) {
      expect((t.headers.trace as any).sample_rate).toBe('1')
      expect(t.payload.contexts.trace.data['sentry.sample_rate']).toBe(1)
    }
    for (const t of byReason('sampled')) {
      expect((t.headers.trace as any).sample_rate).toBe('0.5')
      expect(t.payload.contexts.trace.data['sentry.sample_rate']).toBe(0.5)
    }
    expect(txs).toHaveLength(11 + byReason('sampled').length)
    for (const t of byReason('error')) {
      expect(t.payload.contexts.trace.status).toBe('internal_error')
      expect(t.payload.contexts.response).toEqual({ status_code: 500 })
    }
  })

  it('maps db, cache, http and custom spans to Sentry operations with their timings and attributes', async () => {
    const transport = sentryTransport({ dsn: server.dsn(), release: 'shop@1.2.3', environment: 'staging' })
    const record = traceRecord({ status: 404, route: '/carts/:id', duration: 200 }, [
      { kind: 'db', system: 'postgresql', operation: 'SELECT', statement: 'SELECT * FROM carts WHERE id = ?', target: 'db.internal:5432/shop', start: 10, duration: 30, error: false },
      { kind: 'cache', system: 'redis', operation: 'GET', statement: 'GET ?', target: '127.0.0.1:6379', start: 45, duration: 2, error: false },
      { kind: 'cache', system: 'redis', operation: 'set', statement: 'SET ? ?', start: 50, duration: 3, error: false },
      { kind: 'cache', system: 'redis', operation: 'INCR', statement: 'INCR ?', start: 55, duration: 1, error: true },
      { kind: 'http', system: 'http', operation: 'POST', statement: 'https://payments.example.com/charges', target: 'payments.example.com:443', start: 60, duration: 100, error: false },
      { kind: 'custom', system: 'app', operation: 'span', statement: 'render-cart', start: 170, duration: 20, error: false },
    ])
    expect(await transport.send([record])).toBeUndefined()
    await transport.close!()

    const [tx] = server.items('transaction')
    const event = tx!.payload
    expect(event.release).toBe('shop@1.2.3')
    expect(event.environment).toBe('staging')
    expect(tx!.headers.trace).toMatchObject({ trace_id: record.traceId, sample_rate: '0.1', release: 'shop@1.2.3', environment: 'staging' })
    expect(event.contexts.trace.trace_id).toBe(record.traceId)
    expect(event.contexts.trace.status).toBe('not_found')
    expect(event.start_timestamp).toBe(1_700_000_000)
    expect(event.timestamp).toBeCloseTo(1_700_000_000.2, 6)
    const spans = event.spans as any[]
    expect(spans.map((s) => s.op)).toEqual(['db.query', 'cache.get', 'cache.put', 'db.redis', 'http.client', 'function'])
    expect(spans.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'internal_error', 'ok', 'ok'])
    expect(spans[0]).toMatchObject({
      description: 'SELECT * FROM carts WHERE id = ?',
      data: { 'db.system': 'postgresql', 'db.operation': 'SELECT', 'server.address': 'db.internal', 'server.port': 5432, 'db.name': 'shop' },
    })
    expect(spans[0].start_timestamp).toBeCloseTo(1_700_000_000.01, 6)
    expect(spans[0].timestamp).toBeCloseTo(1_700_000_000.04, 6)
    expect(spans[1].data).toMatchObject({ 'db.system': 'redis', 'server.address': '127.0.0.1', 'server.port': 6379 })
    expect(spans[4]).toMatchObject({ description: 'POST https://payments.example.com/charges', data: { 'http.request.method': 'POST', 'server.address': 'payments.example.com' } })
    expect(spans[4].timestamp - spans[4].start_timestamp).toBeCloseTo(0.1, 6)
    expect(new Set(spans.map((s) => s.span_id)).size).toBe(6)
  })

  it('names requests no route matched as a custom-source transaction, not a route', async () => {
    const { telltale } = telltaleFor(server)
    const scope = telltale.startRequest({ method: 'GET', path: '/nope' })
    scope.end(404)
    await telltale.flush()
    await telltale.close()
    const [tx] = server.items('transaction')
    expect(tx!.payload.transaction).toBe('GET <unmatched>')
    expect(tx!.payload.transaction_info).toEqual({ source: 'custom' })
  })

  it('authenticates with the key in a header, to the project envelope endpoint, never in the URL', async () => {
    const transport = sentryTransport({ dsn: server.dsn() })
    await transport.send([traceRecord()])
    await transport.close!()
    expect(server.refused).toEqual([])
    const [req] = server.received
    expect(req!.url).toBe(`/api/${PROJECT_ID}/envelope/?sentry_version=7`)
    expect(req!.headers['x-sentry-auth']).toBe(`Sentry sentry_version=7, sentry_key=${PUBLIC_KEY}, sentry_client=telltale.transport-sentry/0.0.0`)
    expect(req!.headers['content-type']).toBe('application/x-sentry-envelope')
  })

  it('sends a large batch over a bounded number of reused connections', async () => {
    const transport = sentryTransport({ dsn: server.dsn(), maxConcurrentRequests: 3 })
    const records = Array.from({ length: 120 }, () => traceRecord())
    expect(await transport.send(records)).toBeUndefined()
    await transport.close!()
    const ids = server.items('transaction').map((t) => t.payload.contexts.trace.trace_id)
    expect(new Set(ids)).toEqual(new Set(records.map((r) => r.traceId)))
    expect(ids).toHaveLength(120)
    expect(server.sockets.size).toBeLessThanOrEqual(3)
  })

  it('drops what it cannot map, counted, and delivers the rest of the batch', async () => {
    const transport = sentryTransport({ dsn: server.dsn() })
    const good = traceRecord()
    const malformed = { ...traceRecord(), spans: null } as unknown as TraceRecord
    const unknown = { ...traceRecord(), type: 'profile' } as unknown as TraceRecord
    expect(await transport.send([malformed, good, unknown])).toEqual({ dropped: { invalid: 1, unsupported: 1 } })
    await transport.close!()
    expect(server.items('transaction').map((t) => t.payload.contexts.trace.trace_id)).toEqual([good.traceId])
  })

  it('compresses large envelopes, which Sentry accepts gzipped', async () => {
    const spans = Array.from({ length: 400 }, (_, i) => ({ kind: 'db' as const, system: 'mysql', operation: 'SELECT', statement: `SELECT col_${i}, other_${i} FROM table_${i} WHERE id = ?`, start: i, duration: 1, error: false }))
    const transport = sentryTransport({ dsn: server.dsn() })
    await transport.send([traceRecord({}, spans)])
    await transport.close!()
    expect(server.received[0]!.headers['content-encoding']).toBe('gzip')
    expect(server.items('transaction')[0]!.payload.spans).toHaveLength(400)
  })
})
