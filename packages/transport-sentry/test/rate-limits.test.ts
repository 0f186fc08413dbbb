import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { PUBLIC_KEY, useEnvelopeServer, type EnvelopeServer } from './envelope-server.js'
import { sleep, telltaleFor } from './helpers.js'

const server = useEnvelopeServer()

type Telltale = ReturnType<typeof telltaleFor>['telltale']

/** `n` requests, each kept as a trace (sample rate 1), and one captured error. */
function traffic(telltale: Telltale, n: number, error = true) {
  for (let i = 0; i < n; i++) {
    const scope = telltale.startRequest({ method: 'GET', path: `/items/${i}` })
    scope.setRoute('/items/:id')
    scope.end(200)
  }
  if (error) telltale.captureError(new Error('payment provider down'))
}

const types = (s: EnvelopeServer) => s.received.map((r) => r.envelope[1][0]![0].type)

/** Everything produced was either delivered or counted as dropped. */
function expectAccounted(telltale: Telltale) {
  const stats = telltale.stats()
  expect(stats.records.sent + stats.records.dropped).toBe(stats.records.produced)
}

describe("Sentry's answers", () => {
  it('X-Sentry-Rate-Limits for one category stops requests for it only, and every record it drops is counted', async () => {
    server.respond = (req, i) =>
      i === 0 ? { status: 429, headers: { 'X-Sentry-Rate-Limits': '60:transaction:organization:transaction_usage_exceeded' } } : { status: 200 }
    const { telltale } = telltaleFor(server, {}, { maxConcurrentRequests: 1 })
    traffic(telltale, 3)
    // flush() is false: records were dropped (by the rate limit), not all delivered
    expect(await telltale.flush()).toBe(false)
    // One transaction was refused; the other two were never sent; the error went through.
    expect(types(server)).toEqual(['transaction', 'event'])
    expect(telltale.stats().transports[0]!.dropped).toEqual({ rate_limited: 3 })

    traffic(telltale, 4)
    expect(await telltale.flush()).toBe(false)
    expect(types(server)).toEqual(['transaction', 'event', 'event'])
    const stats = telltale.stats()
    expect(stats.transports[0]!.dropped).toEqual({ rate_limited: 7 })
    expect(stats.dropped.rate_limited).toBe(7)
    // A rate limit is an answer, not a failure: nothing was retried.
    expect(stats.transports[0]!.failures).toBe(0)
    expectAccounted(telltale)
    await telltale.close()
  })

  it('a 429 without headers limits every category for a minute', async () => {
    server.respond = () => ({ status: 429 })
    const { telltale } = telltaleFor(server, {}, { maxConcurrentRequests: 1 })
    telltale.track('order.created')
    traffic(telltale, 2)
    expect(await telltale.flush()).toBe(false)
    expect(server.received).toHaveLength(1)
    // metrics (with the event counter), two traces, one error
    expect(telltale.stats().transports[0]!.dropped).toEqual({ rate_limited: 4 })
    expectAccounted(telltale)
    await telltale.close()
  })

  it('a 503 with Retry-After is a rate limit too: dropped and counted, never retried into', async () => {
    server.respond = () => ({ status: 503, headers: { 'Retry-After': '30' } })
    const { telltale } = telltaleFor(server, {}, { maxConcurrentRequests: 1 })
    traffic(telltale, 2, false)
    await telltale.flush()
    traffic(telltale, 2, false)
    await telltale.flush()
    expect(server.received).toHaveLength(1)
    expect(telltale.stats().transports[0]!.dropped).toEqual({ rate_limited: 4 })
    expect(telltale.stats().transports[0]!.failures).toBe(0)
    await telltale.close()
  })

  it('sending resumes when the limit ends', async () => {
    server.respond = (_req, i) => (i === 0 ? { status: 429, headers: { 'X-Sentry-Rate-Limits': '1:transaction' } } : { status: 200 })
    const { telltale } = telltaleFor(server, {}, { maxConcurrentRequests: 1 })
    traffic(telltale, 2, false)
    await telltale.flush()
    traffic(telltale, 1, false)
    await telltale.flush()
    expect(server.received).toHaveLength(1)
    await sleep(1100)
    traffic(telltale, 1, false)
    await telltale.flush()
    expect(types(server)).toEqual(['transaction', 'transaction'])
    expect(telltale.stats().transports[0]!.dropped).toEqual({ rate_limited: 3 })
    await telltale.close()
  })

  it('413 drops the envelope as too_large without retry; the rest of the batch is delivered', async () => {
    server.respond = (_req, i) => ({ status: i === 0 ? 413 : 200 })
    const { telltale } = telltaleFor(server, {}, { maxConcurrentRequests: 1 })
    traffic(telltale, 2)
    await telltale.flush()
    expect(types(server)).toEqual(['transaction', 'transaction', 'event'])
    const t = telltale.stats().transports[0]!
    expect(t.dropped).toEqual({ too_large: 1 })
    expect(t.failures).toBe(0)
    expectAccounted(telltale)
    await telltale.close()
  })

  it('other 4xx answers (a revoked key, a malformed envelope) drop as rejected without retry', async () => {
    server.respond = (_req, i) => ({ status: i === 1 ? 400 : 403 })
    const { telltale } = telltaleFor(server, {}, { maxConcurrentRequests: 1 })
    traffic(telltale, 2, false)
    await telltale.flush()
    expect(server.received).toHaveLength(2)
    expect(telltale.stats().transports[0]!.dropped).toEqual({ rejected: 2 })
    await telltale.close()
  })

  it('a 5xx makes the core retry, and only what Sentry did not accept is sent again', async () => {
    server.respond = (_req, i) => ({ status: i === 1 ? 502 : 200 })
    const { telltale } = telltaleFor(server, {}, { maxConcurrentRequests: 1 })
    traffic(telltale, 3, false)
    expect(await telltale.flush()).toBe(true)
    const traceIds = server.items('transaction').map((t) => t.payload.contexts.trace.trace_id as string)
    expect(traceIds).toHaveLength(4)
    // The second transaction was sent twice; the first and third once each.
    expect(new Set(traceIds).size).toBe(3)
    expect(traceIds.filter((id) => id === traceIds[1])).toHaveLength(2)
    const t = telltale.stats().transports[0]!
    expect(t.failures).toBe(1)
    expect(t.lastError).toMatch(/answered 502/)
    expect(t.dropped).toEqual({})
    expect(t.sent).toBe(4)
    await telltale.close()
  })

  it('a request with no answer times out and is retried under the same event id', async () => {
    server.respond = (_req, i) => (i === 0 ? null : { status: 200 })
    const { telltale } = telltaleFor(server, {}, { requestTimeoutMs: 100 })
    traffic(telltale, 1, false)
    expect(await telltale.flush()).toBe(true)
    const ids = server.items('transaction').map((t) => t.payload.event_id)
    expect(ids).toHaveLength(2)
    expect(ids[1]).toBe(ids[0])
    expect(telltale.stats().transports[0]!.lastError).toMatch(/no answer within 100 ms/)
    await telltale.close()
  })

  it('when the core times out a slow send and retries, no record is sent twice', async () => {
    // The first answer comes after the core's send timeout; the rest at once.
    server.respond = (_req, i) => ({ status: 200, ...(i === 0 && { delayMs: 400 }) })
    const { telltale } = telltaleFor(server, { sendTimeoutMs: 150 }, { maxConcurrentRequests: 1 })
    traffic(telltale, 6, false)
    expect(await telltale.flush()).toBe(true)
    const traceIds = server.items('transaction').map((t) => t.payload.contexts.trace.trace_id)
    expect(traceIds).toHaveLength(6)
    expect(new Set(traceIds).size).toBe(6)
    const t = telltale.stats().transports[0]!
    expect(t.failures).toBeGreaterThanOrEqual(1)
    expect(t.lastError).toMatch(/did not finish a send within 150 ms/)
    expect(t.dropped).toEqual({})
    await telltale.close()
  })

  it('an unreachable endpoint costs retries, then counted drops; its errors never show the key', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as { port: number }).port
    await new Promise<void>((r) => closed.close(() => r()))
    server.port = port
    const { telltale, internal } = telltaleFor(server, { maxRetries: 2 })
    traffic(telltale, 2)
    await telltale.flush()
    const t = telltale.stats().transports[0]!
    expect(t.failures).toBe(3)
    expect(t.dropped).toEqual({ retries_exhausted: telltale.stats().records.produced })
    expect(t.lastError).toMatch(/could not be reached: ECONNREFUSED/)
    expect(t.lastError).not.toContain(PUBLIC_KEY)
    expect(internal).toEqual([])
    expectAccounted(telltale)
    await telltale.close()
  })
})
