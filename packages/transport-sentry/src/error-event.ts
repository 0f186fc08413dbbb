import { createStackParser, type ErrorEvent, type StackFrame } from '@sentry/core'
import { nodeStackLineParser } from '@sentry/core/server'
import type { ErrorRecord } from '@telltale/core'
import { eventBase, type MappingSettings } from './event-base.js'
import { wellFormed } from './well-formed.js'

// Sentry's own Node.js frame parser: frames come out oldest first, with `in_app` set.
const parseStack = createStackParser(nodeStackLineParser())

export function stackFrames(stack: string): StackFrame[] {
  return stack === '' ? [] : parseStack(wellFormed(stack))
}

/**
 * An error record as a Sentry error event. Telltale folds repeats of one error into one
 * record per window; the event carries how many it stands for, and Telltale's fingerprint
 * so Sentry groups exactly as Telltale does.
 */
export function toErrorEvent(record: ErrorRecord, settings: MappingSettings, eventId: string): ErrorEvent {
  const base = eventBase(record, settings)
  const frames = stackFrames(record.stack)
  const event: ErrorEvent = {
    ...base,
    type: undefined,
    event_id: eventId,
    level: 'error',
    timestamp: record.lastSeen / 1000,
    fingerprint: [record.fingerprint],
    exception: {
      values: [
        {
          type: wellFormed(record.name),
          value: wellFormed(record.message),
          mechanism: { type: 'telltale', handled: true },
          ...(frames.length > 0 && { stacktrace: { frames } }),
        },
      ],
    },
    extra: { occurrences: record.count, firstSeen: new Date(record.firstSeen).toISOString(), lastSeen: new Date(record.lastSeen).toISOString() },
  }
  if (record.route !== null) {
    const route = wellFormed(record.route)
    event.transaction = record.method === null ? route : `${record.method} ${route}`
    event.tags = { ...base.tags, route }
    if (record.method !== null) event.request = { method: record.method }
  }
  return event
}
