import { NOOP_SCOPE } from './scope/request-scope.js'
import type { Telltale } from './telltale.js'
import type { Snapshot, TelltaleStats } from './types.js'

/** What a disabled Telltale is: the same API, and nothing happens. */
export function disabledTelltale(service: string): Telltale {
  const snapshot = (): Snapshot => ({ routes: [], resources: [], events: [], errors: [] })
  const stats = (): TelltaleStats => ({
    enabled: false,
    service,
    instance: '',
    windows: 0,
    records: { produced: 0, queued: 0, queuedBytes: 0, sent: 0, dropped: 0 },
    dropped: {},
    transports: [],
    overflow: { routes: 0, resources: 0, events: 0 },
    lateSpans: 0,
    internalErrors: 0,
    instrument: { internalErrors: 0, statementCacheEvictions: 0 },
  })
  return {
    service,
    enabled: false,
    startRequest: () => NOOP_SCOPE,
    track() {},
    span<T>(name: string, fn: () => T): T {
      if (typeof fn !== 'function') throw new TypeError(`@telltale/core: span(name, fn) expects fn to be a function; received ${typeof fn}`)
      return fn()
    },
    captureError() {},
    snapshot,
    stats,
    flush: async () => true,
    close: async () => {},
  }
}
