import { generateSpanId, getSpanStatusFromHttpCode, type DynamicSamplingContext, type SpanJSON, type TransactionEvent } from '@sentry/core'
import { OTHER, UNMATCHED, type TraceRecord, type TraceSpan } from '@telltale/core'
import { environmentOf, eventBase, type MappingSettings } from './event-base.js'
import { spanOp } from './span-op.js'
import { wellFormed } from './well-formed.js'

const ORIGIN = 'auto.http.telltale'

/**
 * The rate at which a trace like this one was kept. Failed and slow requests are always
 * kept, so they stand for themselves (1); only head-sampled ones stand for 1/rate requests.
 * Sentry extrapolates counts from this, so sending the head rate for every trace would
 * multiply errors and slow requests by 1/rate.
 */
export function effectiveSampleRate(record: TraceRecord): number {
  if (record.reason !== 'sampled') return 1
  const rate = record.sampleRate
  return rate > 0 && rate <= 1 ? rate : 1
}

/** Route templates are low-cardinality names; the sentinels for unmatched and overflow are not routes. */
function nameSource(route: string): 'route' | 'custom' {
  return route === UNMATCHED || route === OTHER ? 'custom' : 'route'
}

function statusText(httpStatus: number): string {
  return getSpanStatusFromHttpCode(httpStatus).message ?? 'ok'
}

/** `host:port` or `host:port/database` → Sentry's server and database attributes. */
function targetData(span: TraceSpan, data: Record<string, string | number>): void {
  const target = span.target
  if (target === undefined || target === '') return
  const match = /^(\[[^\]]+\]|[^/:]+)(?::(\d+))?(?:\/(.+))?$/.exec(target)
  if (match === null) {
    data['server.address'] = target
    return
  }
  data['server.address'] = match[1]!
  if (match[2] !== undefined) data['server.port'] = Number(match[2])
  if (match[3] !== undefined && span.kind === 'db') data['db.name'] = match[3]
}

function childSpan(record: TraceRecord, span: TraceSpan, parent: string): SpanJSON {
  const op = spanOp(span)
  const data: Record<string, string | number> = { 'sentry.op': op, 'sentry.origin': ORIGIN }
  let description = wellFormed(span.statement)
  if (span.kind === 'db' || span.kind === 'cache') {
    data['db.system'] = span.system
    data['db.operation'] = span.operation
  } else if (span.kind === 'http') {
    data['http.request.method'] = span.operation
    // Sentry's Requests view reads the method from the description, as `GET https://host/path`.
    if (!description.startsWith(`${span.operation} `)) description = `${span.operation} ${description}`
  }
  targetData(span, data)
  const start = record.start + span.start
  return {
    span_id: generateSpanId(),
    parent_span_id: parent,
    trace_id: record.traceId,
    op,
    description,
    start_timestamp: start / 1000,
    timestamp: (start + span.duration) / 1000,
    status: span.error ? 'internal_error' : 'ok',
    origin: ORIGIN,
    data,
  }
}

export interface MappedTransaction {
  event: TransactionEvent
  /** The envelope's `trace` header. */
  trace: DynamicSamplingContext
}

/** A trace record as a Sentry transaction named by its route template, with its spans. */
export function toTransaction(record: TraceRecord, settings: MappingSettings, eventId: string): MappedTransaction {
  const route = wellFormed(record.route)
  const name = `${record.method} ${route}`
  const source = nameSource(record.route)
  const rate = effectiveSampleRate(record)
  const status = statusText(record.status)
  const rootSpanId = generateSpanId()
  const base = eventBase(record, settings)
  const event: TransactionEvent = {
    ...base,
    type: 'transaction',
    event_id: eventId,
    transaction: name,
    transaction_info: { source },
    start_timestamp: record.start / 1000,
    timestamp: (record.start + record.duration) / 1000,
    request: { method: record.method },
    tags: { ...base.tags, 'telltale.reason': record.reason },
    contexts: {
      trace: {
        trace_id: record.traceId,
        span_id: rootSpanId,
        op: 'http.server',
        status,
        origin: ORIGIN,
        data: {
          'sentry.op': 'http.server',
          'sentry.origin': ORIGIN,
          'sentry.source': source,
          'sentry.sample_rate': rate,
          'http.request.method': record.method,
          'http.route': route,
          'http.response.status_code': record.status,
          'telltale.dropped_spans': record.droppedSpans,
        },
      },
      response: { status_code: record.status },
    },
    spans: record.spans.map((s) => childSpan(record, s, rootSpanId)),
  }
  const trace: DynamicSamplingContext = {
    trace_id: record.traceId,
    public_key: settings.publicKey,
    sample_rate: String(rate),
    sampled: 'true',
    transaction: name,
    environment: environmentOf(record, settings),
  }
  if (settings.release !== undefined) trace.release = settings.release
  return { event, trace }
}
