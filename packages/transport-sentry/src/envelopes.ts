import { createEnvelope, envelopeItemTypeToDataCategory, type DataCategory, type Envelope, type EventEnvelope, type LogEnvelope, type MetricEnvelope } from '@sentry/core'
import type { EventRecord, TelltaleRecord } from '@telltale/core'
import { toCounterMetrics, toLog } from './business-events.js'
import { toErrorEvent } from './error-event.js'
import type { MappingSettings } from './event-base.js'
import { SDK_INFO } from './package-info.js'
import { toTransaction } from './transaction.js'

/** One envelope to send and the records it carries: they share its fate. */
export interface Unit {
  /** Sentry's data category, the key of its rate limits. */
  category: DataCategory
  records: TelltaleRecord[]
  envelope: Envelope
}

/** What becomes of a record that needs no request: delivered (`null`) or dropped with a reason. */
export type Settle = (record: TelltaleRecord, outcome: string | null) => void

/** Sentry's SDKs send logs in containers of at most 100 and metrics of at most 1 000; so does this transport. */
const LOGS_PER_ENVELOPE = 100
const METRICS_PER_CONTAINER = 1000

function sentAt(): string {
  return new Date().toISOString()
}

function logEnvelope(records: EventRecord[], settings: MappingSettings): Unit {
  const items = records.map((r) => toLog(r, settings))
  const envelope: LogEnvelope = createEnvelope<LogEnvelope>({ sdk: SDK_INFO }, [
    [{ type: 'log', item_count: items.length, content_type: 'application/vnd.sentry.items.log+json' }, { version: 2, items }],
  ])
  return { category: envelopeItemTypeToDataCategory('log'), records, envelope }
}

/**
 * Turns a batch into envelopes. A transaction or error event travels alone (one event per
 * envelope is Sentry's rule, and the trace header belongs to one transaction); a window's
 * counters travel together, and raw events are packed into log containers.
 */
export function buildUnits(records: TelltaleRecord[], settings: MappingSettings, eventId: (r: TelltaleRecord) => string, settle: Settle): Unit[] {
  const units: Unit[] = []
  const events: EventRecord[] = []
  for (const record of records) {
    try {
      switch (record.type) {
        case 'trace': {
          const id = eventId(record)
          const { event, trace } = toTransaction(record, settings, id)
          const envelope = createEnvelope<EventEnvelope>({ event_id: id, sent_at: sentAt(), sdk: SDK_INFO, trace }, [[{ type: 'transaction' }, event]])
          units.push({ category: envelopeItemTypeToDataCategory('transaction'), records: [record], envelope })
          break
        }
        case 'error': {
          const id = eventId(record)
          const event = toErrorEvent(record, settings, id)
          const envelope = createEnvelope<EventEnvelope>({ event_id: id, sent_at: sentAt(), sdk: SDK_INFO }, [[{ type: 'event' }, event]])
          units.push({ category: envelopeItemTypeToDataCategory('event'), records: [record], envelope })
          break
        }
        case 'metrics': {
          const items = toCounterMetrics(record, settings)
          // Route and resource aggregates have no Sentry form that would not double what
          // the transactions already tell it: a window without business events is done.
          if (items.length === 0) {
            settle(record, null)
            break
          }
          const containers: MetricEnvelope[1] = []
          for (let i = 0; i < items.length; i += METRICS_PER_CONTAINER) {
            const chunk = items.slice(i, i + METRICS_PER_CONTAINER)
            containers.push([{ type: 'trace_metric', item_count: chunk.length, content_type: 'application/vnd.sentry.items.trace-metric+json' }, { version: 2, items: chunk }])
          }
          const envelope = createEnvelope<MetricEnvelope>({ sdk: SDK_INFO }, containers)
          units.push({ category: envelopeItemTypeToDataCategory('trace_metric'), records: [record], envelope })
          break
        }
        case 'event':
          events.push(record)
          break
        default:
          settle(record, 'unsupported')
      }
    } catch {
      // A record this version cannot map (a malformed one) must not hold up the others.
      settle(record, 'invalid')
    }
  }
  for (let i = 0; i < events.length; i += LOGS_PER_ENVELOPE) {
    const chunk = events.slice(i, i + LOGS_PER_ENVELOPE)
    try {
      units.push(logEnvelope(chunk, settings))
    } catch {
      for (const r of chunk) settle(r, 'invalid')
    }
  }
  return units
}
