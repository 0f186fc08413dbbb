import { generateTraceId, type SerializedLog, type SerializedMetric } from '@sentry/core'
import type { EventRecord, MetricsRecord } from '@telltale/core'
import { typedAttributes, type TypedAttributes } from './attributes.js'
import { environmentOf, type MappingSettings } from './event-base.js'
import { wellFormed } from './well-formed.js'

function commonAttributes(record: MetricsRecord | EventRecord, settings: MappingSettings): TypedAttributes {
  const values: Record<string, string> = {
    'sentry.environment': environmentOf(record, settings),
    'service.name': record.service,
    'service.instance.id': record.instance,
  }
  if (settings.release !== undefined) values['sentry.release'] = settings.release
  return typedAttributes(values)
}

/**
 * A window's business-event counts as Sentry counter metrics: one `counter` per event name
 * with the window's count, and one per summed numeric property (`order.created.amount`).
 * Telltale has already counted every `track()` call, so Sentry receives a handful of items
 * per window however many events there were, and its sums are exact.
 */
export function toCounterMetrics(record: MetricsRecord, settings: MappingSettings): SerializedMetric[] {
  if (record.events.length === 0) return []
  const attributes = commonAttributes(record, settings)
  const timestamp = record.end / 1000
  // Metrics must name a trace; a window belongs to none, so it gets one of its own.
  const traceId = generateTraceId()
  const out: SerializedMetric[] = []
  for (const e of record.events) {
    const name = wellFormed(e.name)
    out.push({ timestamp, trace_id: traceId, name, type: 'counter', value: e.count, attributes })
    for (const prop in e.sums) {
      out.push({ timestamp, trace_id: traceId, name: `${name}.${wellFormed(prop)}`, type: 'counter', value: e.sums[prop]!, attributes })
    }
  }
  return out
}

/**
 * A raw business event (core option `rawEvents`) as a structured log: its properties are
 * searchable attributes. Counting stays with the counter metrics, so nothing is counted twice.
 */
export function toLog(record: EventRecord, settings: MappingSettings): SerializedLog {
  // Telltale's own attributes win over a property of the same name.
  const attributes = Object.assign(typedAttributes(record.props), commonAttributes(record, settings))
  const name = wellFormed(record.name)
  attributes['telltale.event'] = { value: name, type: 'string' }
  if (record.route !== null) attributes['http.route'] = { value: wellFormed(record.route), type: 'string' }
  // 9 is OpenTelemetry's INFO, the number Sentry's SDKs send with level 'info'.
  return { timestamp: record.time / 1000, trace_id: generateTraceId(), level: 'info', severity_number: 9, body: name, attributes }
}
