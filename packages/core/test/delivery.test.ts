import { describe, expect, it } from 'vitest'
import { createTelltale, memoryTransport, type TelltaleRecord, type Transport, TransportDropError } from '../src/index.js'
import { sleep } from './helpers.js'

function request(telltale: ReturnType<typeof createTelltale>, route: string, status = 200) {
  const s = telltale.startRequest({ method: 'GET' })
  s.setRoute(route)
  s.end(status)
}

const quiet = { flushIntervalMs: 3_600_000, traceSampleRate: 0, onInternalError: () => {} }

describe('delivery', () => {
  it('a window becomes one metrics record with seq, counts and the schema fields', async () => {
    const memory = memoryTransport()
    const telltale = createTelltale({ service: 'shop', environment: 'test', transports: [memory], ...quiet })
    request(telltale, '/a')
    request(telltale, '/a', 503)
    telltale.track('order.created', { amount: 5 })
    expect(await telltale.flush()).toBe(true)
    request(telltale, '/a')
    await telltale.flush()
    const metrics = memory.records.filter((r) => r.type === 'metrics')
    expect(metrics.map((m) => m.seq)).toEqual([1, 2])
    const [first] = metrics
    expect(first).toMatchObject({ v: 1, type: 'metrics', service: 'shop', environment: 'test', instance: expect.stringMatching(/^.+\/\d+\/[0-9a-f]{6}$/) })
    expect(first!.routes.map((r) => [r.route, r.status, r.count, r.errors])).toEqual([
      ['/a', '2xx', 1, 0],
      ['/a', '5xx', 1, 1],
    ])
    expect(first!.events).toEqual([{ name: 'order.created', count: 1, sums: { amount: 5 } }])
    expect(first!.end).toBeGreaterThanOrEqual(first!.start)
    // the 503 was failed, so its trace was kept
    expect(memory.records.filter((r) => r.type === 'trace')).toEqual([expect.objectContaining({ route: '/a', status: 503, reason: 'error', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) })])
    await telltale.close()
  })

  it('batches records and keeps one send in flight per transport', async () => {
    let inFlight = 0
    let maxInFlight = 0
    const sizes: number[] = []
    const slow: Transport = {
      name: 'slow',
      async send(records) {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        sizes.push(records.length)
        await sleep(5)
        inFlight--
      },
    }
    const telltale = createTelltale({ service: 's', transports: [slow], batchSize: 3, rawEvents: true, ...quiet })
    for (let i = 0; i < 10; i++) telltale.track('e')
    expect(await telltale.flush()).toBe(true)
    expect(maxInFlight).toBe(1)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(11) // 10 events + 1 metrics
    expect(Math.max(...sizes)).toBe(3)
    await telltale.close()
  })

  it('retries a failing send with backoff and delivers once the transport recovers', async () => {
    let calls = 0
    const got: TelltaleRecord[] = []
    const flaky: Transport = {
      name: 'flaky',
      async send(records) {
        if (++calls <= 3) throw new Error('ECONNREFUSED')
        got.push(...records)
      },
    }
    const telltale = createTelltale({ service: 's', transports: [flaky], retryBaseMs: 5, retryMaxMs: 20, ...quiet })
    request(telltale, '/a')
    expect(await telltale.flush(5000)).toBe(true)
    expect(calls).toBe(4)
    expect(got.filter((r) => r.type === 'metrics')).toHaveLength(1)
    const stats = telltale.stats()
    expect(stats.transports[0]).toMatchObject({ name: 'flaky', sent: 1, failures: 3, lastError: 'Error: ECONNREFUSED', pending: 0 })
    await telltale.close()
  })

  it('drops a batch the transport rejects with TransportDropError, without retry', async () => {
    let calls = 0
    const rejecting: Transport = {
      name: 'rejecting',
      async send() {
        calls++
        throw new TransportDropError('payload_too_large', 'HTTP 413')
      },
    }
    const telltale = createTelltale({ service: 's', transports: [rejecting], ...quiet })
    request(telltale, '/a')
    await telltale.flush()
    expect(calls).toBe(1)
    expect(telltale.stats().dropped).toEqual({ payload_too_large: 1 })
    expect(telltale.stats().records).toMatchObject({ produced: 1, sent: 0, dropped: 1, queued: 0 })
    await telltale.close()
  })

  it('counts records a transport reports as dropped in part of a batch', async () => {
    const partial: Transport = { name: 'partial', send: async (records) => ({ dropped: { rate_limited: records.length - 1 } }) }
    const telltale = createTelltale({ service: 's', transports: [partial], rawEvents: true, ...quiet })
    telltale.track('a')
    telltale.track('b')
    await telltale.flush()
    expect(telltale.stats().records).toMatchObject({ produced: 3, sent: 1, dropped: 2 })
    expect(telltale.stats().dropped).toEqual({ rate_limited: 2 })
    await telltale.close()
  })

  it('a send that hangs times out, is retried, and is finally dropped as send_timeout', async () => {
    const hanging: Transport = { name: 'hang', send: () => new Promise(() => {}) }
    const telltale = createTelltale({ service: 's', transports: [hanging], sendTimeoutMs: 10, maxRetries: 2, retryBaseMs: 1, retryMaxMs: 2, ...quiet })
    request(telltale, '/a')
    // flush() is true only when nothing was dropped: this window was
    expect(await telltale.flush(2000)).toBe(false)
    expect(telltale.stats().dropped).toEqual({ send_timeout: 1 })
    expect(telltale.stats().transports[0]!.failures).toBe(3)
    await telltale.close()
  })

  it('a transport that always fails: memory stays under the queue bound and delivered + dropped = produced, exactly', async () => {
    let attempts = 0
    const down: Transport = {
      name: 'down',
      async send() {
        attempts++
        throw new Error('down')
      },
    }
    const maxQueueBytes = 64 * 1024
    const telltale = createTelltale({ service: 's', transports: [down], rawEvents: true, maxQueueRecords: 500, maxQueueBytes, maxRetries: 3, retryBaseMs: 1, retryMaxMs: 4, ...quiet })
    let peakBytes = 0
    let peakRecords = 0
    for (let i = 0; i < 5000; i++) {
      telltale.track('order.created', { i, plan: 'pro' })
      request(telltale, `/r${i % 7}`)
      const { queued, queuedBytes } = telltale.stats().records
      peakBytes = Math.max(peakBytes, queuedBytes)
      peakRecords = Math.max(peakRecords, queued)
      if (i % 500 === 0) await sleep(1)
    }
    await telltale.close()
    const { records, dropped } = telltale.stats()
    expect(peakBytes).toBeLessThanOrEqual(maxQueueBytes)
    expect(peakRecords).toBeLessThanOrEqual(500)
    expect(attempts).toBeGreaterThan(0)
    expect(records.sent).toBe(0)
    expect(records.produced).toBe(5001)
    expect(records.sent + records.dropped).toBe(records.produced)
    expect(dropped.queue_full).toBeGreaterThan(0)
    expect((dropped.queue_full ?? 0) + (dropped.retries_exhausted ?? 0) + (dropped.closed ?? 0)).toBe(records.produced)
    expect(records.queued).toBe(0)
  })

  it('a hanging transport: close() returns within its timeout and counts what was left', async () => {
    const hanging: Transport = { name: 'hang', send: () => new Promise(() => {}), close: () => new Promise(() => {}) }
    const telltale = createTelltale({ service: 's', transports: [hanging], closeTimeoutMs: 50, ...quiet })
    request(telltale, '/a')
    const t0 = Date.now()
    await telltale.close()
    await telltale.close()
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(telltale.stats().records).toMatchObject({ produced: 1, sent: 0, dropped: 1 })
    expect(telltale.stats().dropped).toEqual({ closed: 1 })
  })

  it('drops are reported in the next metrics record', async () => {
    let fail = true
    const memory = memoryTransport()
    const gate: Transport = {
      name: 'gate',
      async send(records) {
        if (fail) throw new TransportDropError('rejected')
        await memory.send(records)
      },
    }
    const telltale = createTelltale({ service: 's', transports: [gate], ...quiet })
    request(telltale, '/a')
    await telltale.flush()
    fail = false
    await telltale.flush()
    const metrics = memory.records.filter((r) => r.type === 'metrics')
    expect(metrics).toHaveLength(1)
    expect(metrics[0]!.seq).toBe(2)
    expect(metrics[0]!.dropped).toEqual({ rejected: 1 })
    await telltale.close()
  })

  it('drop counts carried by a metrics record that was itself dropped are reported by the next one; droppedTotal only grows', async () => {
    const memory = memoryTransport()
    let release!: () => void
    let first = true
    const gate: Transport = {
      name: 'gate',
      async send(records) {
        if (first) {
          first = false
          await new Promise<void>((resolve) => (release = resolve))
        }
        await memory.send(records)
      },
    }
    const telltale = createTelltale({ service: 's', transports: [gate], maxQueueRecords: 1, maxTracesPerWindow: 0, ...quiet })
    request(telltale, '/a')
    const firstFlush = telltale.flush(5000) // window 1 is in flight, holding the queue's one place
    await sleep(5)
    request(telltale, '/a', 500) // its trace is over the cap: trace_cap 1, reported by window 2...
    expect(await telltale.flush(10)).toBe(false) // ...which finds the queue full and is dropped
    release()
    expect(await firstFlush).toBe(false)
    expect(await telltale.flush()).toBe(true)
    const metrics = memory.records.filter((r) => r.type === 'metrics')
    expect(metrics.map((m) => m.seq)).toEqual([1, 3])
    expect(metrics[1]!.dropped).toEqual({ trace_cap: 1, queue_full: 1 })
    expect(metrics[1]!.droppedTotal).toEqual({ trace_cap: 1, queue_full: 1 })
    expect(metrics[0]!.droppedTotal).toEqual({})
    await telltale.close()
  })

  it('a record larger than maxRecordBytes is dropped as too_large', async () => {
    const memory = memoryTransport()
    const telltale = createTelltale({ service: 's', transports: [memory], maxRecordBytes: 1024, maxRoutes: 1000, ...quiet })
    for (let i = 0; i < 50; i++) request(telltale, `/a-route-with-a-long-name/${i}`)
    await telltale.flush()
    expect(memory.records).toHaveLength(0)
    expect(telltale.stats().dropped).toEqual({ too_large: 1 })
    await telltale.close()
  })

  it('each transport gets every record; stats count per transport', async () => {
    const a = memoryTransport({ name: 'a' })
    const b = memoryTransport({ name: 'b' })
    const telltale = createTelltale({ service: 's', transports: [a, b], ...quiet })
    request(telltale, '/x')
    await telltale.flush()
    expect(a.records).toEqual(b.records)
    expect(telltale.stats().transports.map((t) => [t.name, t.sent])).toEqual([
      ['a', 1],
      ['b', 1],
    ])
    await telltale.close()
  })
})

describe("Telltale's own I/O", () => {
  it('requests a transport makes are not recorded as the app’s resources, even when flush() is called inside a request', async () => {
    const { createServer } = await import('node:http')
    const server = createServer((_req, res) => res.end('ok'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const posting: Transport = {
      name: 'http-poster',
      async send(records) {
        const res = await fetch(`http://127.0.0.1:${port}/ingest`, { method: 'POST', body: JSON.stringify(records) })
        await res.text()
      },
    }
    const telltale = createTelltale({ service: 's', transports: [posting], ...quiet })
    const scope = telltale.startRequest({ method: 'GET' })
    await scope.run(async () => {
      // the app's own outbound call is recorded; the transport's POST is not
      const res = await fetch(`http://127.0.0.1:${port}/app-call`)
      await res.text()
      await telltale.flush()
    })
    scope.setRoute('/r')
    scope.end(200)
    await telltale.flush()
    server.close()
    const http = telltale.snapshot().resources.filter((r) => r.kind === 'http')
    expect(http.map((r) => [r.operation, r.count])).toEqual([['GET', 1]])
    expect(telltale.snapshot().routes[0]!.breakdown.http.count).toBe(1)
    expect(telltale.stats().transports[0]!.sent).toBe(2)
    await telltale.close()
  })
})
