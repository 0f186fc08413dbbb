import { describe, expect, it } from 'vitest'
import { sentryTransport } from '../src/index.js'
import { useEnvelopeServer } from './envelope-server.js'
import { telltaleFor } from './helpers.js'

const server = useEnvelopeServer()

function chargeCard(amount: number): never {
  throw new RangeError(`amount ${amount} is over the limit`)
}

describe('error records become Sentry error events', () => {
  it('carries the exception with parsed frames, the route and Telltale fingerprint, once per folded error', async () => {
    const { telltale } = telltaleFor(server, { traceSampleRate: 0 })
    for (const amount of [101, 202, 303]) {
      const scope = telltale.startRequest({ method: 'POST', path: '/orders/9/pay' })
      scope.run(() => {
        try {
          chargeCard(amount)
        } catch (err) {
          telltale.captureError(err)
        }
      })
      scope.setRoute('/orders/:id/pay')
      scope.end(200)
    }
    await telltale.flush()
    const [known] = telltale.snapshot().errors
    await telltale.close()

    const events = server.items('event')
    expect(events).toHaveLength(1)
    const { headers, payload: event } = events[0]!
    expect(headers.event_id).toBe(event.event_id)
    expect(event.level).toBe('error')
    expect(event.platform).toBe('node')
    expect(event.transaction).toBe('POST /orders/:id/pay')
    expect(event.tags).toMatchObject({ route: '/orders/:id/pay', service: 'shop-api' })
    expect(event.fingerprint).toEqual([known!.fingerprint])
    expect(event.extra.occurrences).toBe(3)

    const [exception] = event.exception.values
    expect(exception.type).toBe('RangeError')
    // Repeats fold into the first occurrence: its message is the one kept.
    expect(exception.value).toBe('amount 101 is over the limit')
    const frames = exception.stacktrace.frames as any[]
    // Sentry wants the innermost frame last.
    const last = frames[frames.length - 1]
    expect(last.function).toBe('chargeCard')
    expect(last.filename).toMatch(/errors\.test\.ts$/)
    expect(last.lineno).toBeGreaterThan(0)
    expect(last.colno).toBeGreaterThan(0)
    expect(last.in_app).toBe(true)
    expect(frames.some((f) => typeof f.filename === 'string' && f.filename.includes('node_modules') && f.in_app === false)).toBe(true)
  })

  it('sends an error captured outside any request without a route', async () => {
    const { telltale } = telltaleFor(server)
    telltale.captureError(new Error('queue consumer crashed'))
    telltale.captureError('a plain string')
    await telltale.flush()
    await telltale.close()
    const events = server.items('event').map((e) => e.payload)
    expect(events).toHaveLength(2)
    const crashed = events.find((e) => e.exception.values[0].value === 'queue consumer crashed')
    expect(crashed.transaction).toBeUndefined()
    expect(crashed.tags.route).toBeUndefined()
    expect(crashed.exception.values[0].stacktrace.frames.length).toBeGreaterThan(0)
    const plain = events.find((e) => e.exception.values[0].value === 'a plain string')
    expect(plain.exception.values[0].stacktrace).toBeUndefined()
  })

  it('repairs a surrogate pair split by truncation, which Sentry would reject the whole event for', async () => {
    const { telltale } = telltaleFor(server)
    // Telltale keeps 1 000 characters of a message: the cut falls inside the emoji.
    telltale.captureError(new Error(`${'x'.repeat(999)}😀 and more`))
    await telltale.flush()
    await telltale.close()
    const [event] = server.items('event')
    const raw = JSON.stringify(event!.payload)
    expect(raw).not.toMatch(/\\ud83d(?!\\ude00)/)
    const value = event!.payload.exception.values[0].value as string
    expect(value.startsWith(`${'x'.repeat(999)}\ufffd`)).toBe(true)
  })

  it('reuses the event id when a batch is retried, so Sentry keeps one copy', async () => {
    server.respond = (_req, i) => ({ status: i === 0 ? 503 : 200 })
    const transport = sentryTransport({ dsn: server.dsn() })
    const record = {
      v: 1 as const, type: 'error' as const, service: 's', environment: 'e', instance: 'h/1/x', time: Date.now(),
      name: 'Error', message: 'boom', stack: '', fingerprint: 'abc', route: null, method: null, count: 1, firstSeen: Date.now(), lastSeen: Date.now(),
    }
    await expect(transport.send([record])).rejects.toThrow(/answered 503/)
    await expect(transport.send([record])).resolves.toBeUndefined()
    await transport.close!()
    const ids = server.items('event').map((e) => e.payload.event_id)
    expect(ids).toHaveLength(2)
    expect(ids[0]).toBe(ids[1])
  })
})
