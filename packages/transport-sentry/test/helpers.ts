import { randomBytes } from 'node:crypto'
import { createTelltale, type TelltaleOptions, type TraceRecord, type TraceSpan } from '@telltale/core'
import { sentryTransport, type SentryTransportOptions } from '../src/index.js'
import type { EnvelopeServer } from './envelope-server.js'

/** A Telltale sending to `server` through the Sentry transport; no timer flushes, quick retries. */
export function telltaleFor(server: EnvelopeServer, options: Partial<TelltaleOptions> = {}, sentry: Partial<SentryTransportOptions> = {}) {
  const internal: unknown[] = []
  const telltale = createTelltale({
    service: 'shop-api',
    environment: 'test',
    transports: [sentryTransport({ dsn: server.dsn(), ...sentry })],
    flushIntervalMs: 3_600_000,
    traceSampleRate: 1,
    maxTracesPerWindow: 1000,
    retryBaseMs: 1,
    retryMaxMs: 5,
    closeTimeoutMs: 2000,
    onInternalError: (err) => internal.push(err),
    ...options,
  })
  return { telltale, internal }
}

export function traceRecord(overrides: Partial<TraceRecord> = {}, spans: TraceSpan[] = []): TraceRecord {
  return {
    v: 1,
    type: 'trace',
    service: 'shop-api',
    environment: 'test',
    instance: 'host-a/123/abcdef',
    time: 1_700_000_001_000,
    traceId: randomBytes(16).toString('hex'),
    method: 'GET',
    route: '/users/:id',
    status: 200,
    start: 1_700_000_000_000,
    duration: 120,
    reason: 'sampled',
    sampleRate: 0.1,
    spans,
    droppedSpans: 0,
    ...overrides,
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
