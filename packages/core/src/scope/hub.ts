import { AsyncLocalStorage } from 'node:async_hooks'
import type { SpanKind } from '../types.js'

/** What a request scope and the span recorders need from a Telltale instance. */
export interface Recorder {
  /** Adds one resource call to the resource statistics. */
  recordResource(kind: SpanKind, system: string, operation: string, statement: string, ms: number, failed: boolean): void
  /** Counts a span that finished after its request had ended. */
  countLateSpan(): void
  /** Turns raw statement text into its bounded form (cut at maxStatementLength). */
  readonly maxStatementLength: number
}

/** The part of a request scope span recorders use. */
export interface ActiveScope {
  readonly ended: boolean
  readonly recorder: Recorder
  addSpan(kind: SpanKind, system: string, operation: string, statement: string, target: string | undefined, startMs: number, ms: number, failed: boolean): void
}

interface Hub {
  readonly als: AsyncLocalStorage<ActiveScope>
  /** Live (enabled, not closed) instances: spans outside any request count in each. */
  readonly recorders: Set<Recorder>
}

/**
 * One hub per process, kept on globalThis: if an app loads both the ESM and the CommonJS
 * build (or two copies of core), `instrument()` from one still finds requests of the other.
 */
const HUB_KEY = Symbol.for('telltale.hub.v1')

function getHub(): Hub {
  const g = globalThis as unknown as Record<symbol, Hub | undefined>
  let hub = g[HUB_KEY]
  if (hub === undefined) {
    hub = { als: new AsyncLocalStorage<ActiveScope>(), recorders: new Set() }
    Object.defineProperty(globalThis, HUB_KEY, { value: hub, enumerable: false, configurable: false, writable: false })
  }
  return hub
}

export const hub: Hub = getHub()

const NOOP_RECORDER: Recorder = { recordResource() {}, countLateSpan() {}, maxStatementLength: 1000 }

/**
 * The scope of Telltale's own I/O (transports sending records, and whatever the app runs in
 * `withoutInstrumentation()`): spans started under it are recorded nowhere, so a transport's
 * POSTs or Redis commands never show up as the app's resources.
 */
export const SILENT_SCOPE: ActiveScope = Object.freeze({ ended: false, recorder: NOOP_RECORDER, addSpan() {} })

/** Runs `fn` (and everything it starts) with instrumentation switched off. */
export function withoutInstrumentation<T>(fn: () => T): T {
  return hub.als.run(SILENT_SCOPE, fn)
}

/** The request scope of the running code, if any. */
export function activeScope(): ActiveScope | undefined {
  return hub.als.getStore()
}
