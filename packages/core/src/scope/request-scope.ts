import { performance } from 'node:perf_hooks'
import { BreakdownCounters } from '../aggregate/breakdown.js'
import { type ErrorInfo, toErrorInfo } from '../errors/error-info.js'
import type { RequestScope, SpanKind, TraceSpan } from '../types.js'
import { type ActiveScope, hub, type Recorder } from './hub.js'

/** What the engine does when a scope ends. */
export interface ScopeOwner extends Recorder {
  finishRequest(scope: RequestScopeImpl): void
  readonly maxSpansPerTrace: number
  reportInternal(err: unknown): void
}

/** Errors kept per request until it ends (then recorded with its route). */
const MAX_ERRORS_PER_REQUEST = 5
const MAX_ROUTE_LENGTH = 300

/**
 * One request. Holds strings and numbers only: nothing of the framework's request,
 * response or socket, so keeping a scope alive (a late callback) keeps nothing big alive.
 * The breakdown counters are its own fields (it extends BreakdownCounters): no extra object.
 */
export class RequestScopeImpl extends BreakdownCounters implements RequestScope, ActiveScope {
  route: string | null = null
  status = 0
  ended = false
  failed = false
  duration = 0
  spans: TraceSpan[] | null = null
  droppedSpans = 0
  errors: ErrorInfo[] | null = null
  readonly startMs: number

  constructor(
    readonly recorder: ScopeOwner,
    readonly method: string,
    readonly headSampled: boolean,
  ) {
    super()
    this.startMs = performance.now()
  }

  run<T>(fn: () => T): T {
    return hub.als.run(this, fn)
  }

  setRoute(template: string): void {
    if (this.ended) return
    if (typeof template !== 'string' || template === '') {
      this.recorder.reportInternal(new TypeError(`@telltale/core: scope.setRoute(template) expects a non-empty string; received ${typeof template}`))
      return
    }
    this.route = template.length > MAX_ROUTE_LENGTH ? template.slice(0, MAX_ROUTE_LENGTH) : template
  }

  setError(err: unknown): void {
    if (this.ended) return
    this.failed = true
    const list = (this.errors ??= [])
    if (list.length < MAX_ERRORS_PER_REQUEST) list.push(toErrorInfo(err))
  }

  addSpan(kind: SpanKind, system: string, operation: string, statement: string, target: string | undefined, startMs: number, ms: number, failed: boolean): void {
    this.add(kind, ms)
    const spans = (this.spans ??= [])
    if (spans.length >= this.recorder.maxSpansPerTrace) {
      this.droppedSpans++
      return
    }
    spans.push({ kind, system, operation, statement, target, start: startMs - this.startMs, duration: ms, error: failed })
  }

  end(statusCode: number): void {
    if (this.ended) return
    this.ended = true
    this.duration = performance.now() - this.startMs
    this.status = typeof statusCode === 'number' && Number.isFinite(statusCode) ? statusCode : 0
    if (this.status >= 500) this.failed = true
    try {
      this.recorder.finishRequest(this)
    } catch (err) {
      this.recorder.reportInternal(err)
    }
    // Detail is only needed until the request is aggregated; a late callback that still
    // holds the scope then holds a few numbers.
    this.spans = null
    this.errors = null
  }
}

/** The scope given for ignored requests and by disabled or closed instances. */
export const NOOP_SCOPE: RequestScope = Object.freeze({
  run<T>(fn: () => T): T {
    return fn()
  },
  setRoute() {},
  setError() {},
  end() {},
  ended: false,
})
