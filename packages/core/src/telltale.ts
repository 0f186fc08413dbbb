import { performance } from 'node:perf_hooks'
import { UNMATCHED } from './aggregate/names.js'
import { statusIndex } from './aggregate/status-class.js'
import { Window, type WindowCaps } from './aggregate/window.js'
import { RecordQueue } from './delivery/record-queue.js'
import { toErrorInfo } from './errors/error-info.js'
import { ErrorTable } from './errors/error-table.js'
import { EventTable } from './aggregate/event-table.js'
import { ResourceTable } from './aggregate/resource-table.js'
import { RouteTable } from './aggregate/route-table.js'
import { instrumentStats } from './instrument/instrument-stats.js'
import { compileIgnore } from './internal/ignore.js'
import { instanceId, traceId } from './internal/instance-id.js'
import { isPromise } from './internal/is-promise.js'
import { rateLimitedWarning } from './internal/report.js'
import { describeValue, type ResolvedOptions } from './options.js'
import { activeScope, hub, withoutInstrumentation } from './scope/hub.js'
import { recordSpan } from './scope/record-span.js'
import { NOOP_SCOPE, RequestScopeImpl, type ScopeOwner } from './scope/request-scope.js'
import type {
  ErrorRecord,
  EventProps,
  EventRecord,
  MetricsRecord,
  RequestScope,
  Snapshot,
  SpanKind,
  StartRequestInput,
  TelltaleStats,
  TraceRecord,
} from './types.js'

/** The object `createTelltale()` returns. */
export interface Telltale {
  readonly service: string
  readonly enabled: boolean
  /** For adapters: starts timing a request. See the core README, "Writing an adapter". */
  startRequest(input: StartRequestInput): RequestScope
  /** Counts a business event; numeric properties are summed. */
  track(name: string, props?: EventProps): void
  /** Times `fn` (sync or async) as a `custom` span and returns exactly what it returns. */
  span<T>(name: string, fn: () => T, options?: SpanOptions): T
  /** Records an error, with the current request's route when called inside one. */
  captureError(err: unknown): void
  /** In-process aggregates since start. */
  snapshot(): Snapshot
  /** Telltale's own counters: records queued, sent, dropped by reason, overflow. */
  stats(): TelltaleStats
  /** Seals the current window and waits for delivery; true if everything was delivered in time. */
  flush(timeoutMs?: number): Promise<boolean>
  /** Seals the last window, delivers within `closeTimeoutMs`, closes transports. Idempotent. */
  close(): Promise<void>
}

const MAX_NAME = 200
const MAX_PROPS = 32
const SPAN_KINDS: readonly SpanKind[] = ['db', 'cache', 'http', 'custom']

/** For `span()` around a client `instrument()` does not know (an embedded database, an in-process cache). */
export interface SpanOptions {
  /** Which breakdown the time counts in. Default: `custom`. */
  kind?: SpanKind
  /** Shown as the resource's system, e.g. `sqlite`, `lru-cache`. Default: `app`. */
  system?: string
}

function sanitizeProps(props: EventProps | undefined): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {}
  if (props === undefined) return out
  let n = 0
  for (const key in props) {
    if (n++ >= MAX_PROPS) break
    const v = props[key]
    if (v === undefined) continue
    out[key] = typeof v === 'string' && v.length > MAX_NAME ? v.slice(0, MAX_NAME) : (v as string | number | boolean | null)
  }
  return out
}

export class TelltaleEngine implements Telltale, ScopeOwner {
  readonly enabled = true
  readonly service: string
  readonly instance = instanceId()
  readonly maxSpansPerTrace: number
  readonly maxStatementLength: number
  private window: Window
  private readonly caps: WindowCaps
  private readonly totals: { routes: RouteTable; resources: ResourceTable; events: EventTable; errors: ErrorTable }
  private readonly queue: RecordQueue
  /** Records are only built when someone will receive them. */
  private readonly shipping: boolean
  private readonly isIgnored: ((path: string) => boolean) | null
  private readonly onInternalError: (err: unknown) => void
  private readonly timer: NodeJS.Timeout
  private seq = 0
  private windows = 0
  private lateSpans = 0
  private internalErrors = 0
  private readonly overflow = { routes: 0, resources: 0, events: 0 }
  private closed = false
  private closing: Promise<void> | null = null

  constructor(private readonly options: ResolvedOptions) {
    this.service = options.service
    this.maxSpansPerTrace = options.maxSpansPerTrace
    this.maxStatementLength = options.maxStatementLength
    this.onInternalError = options.onInternalError ?? rateLimitedWarning(options.service)
    this.caps = options
    this.window = new Window(Date.now(), this.caps)
    this.totals = {
      routes: new RouteTable(options.maxRoutes),
      resources: new ResourceTable(options.maxResources),
      events: new EventTable(options.maxEvents),
      errors: new ErrorTable(Math.max(options.maxErrorsPerWindow, 100)),
    }
    const report = (err: unknown) => this.reportInternal(err)
    this.queue = new RecordQueue(options.transports, options, report)
    this.shipping = options.transports.length > 0
    this.isIgnored = compileIgnore(options.ignore, report)
    this.timer = setInterval(() => this.seal(), options.flushIntervalMs)
    this.timer.unref()
    hub.recorders.add(this)
  }

  startRequest(input: StartRequestInput): RequestScope {
    if (this.closed) return NOOP_SCOPE
    try {
      const method = input.method
      if (this.isIgnored !== null && typeof input.path === 'string' && this.isIgnored(input.path)) return NOOP_SCOPE
      const rate = this.options.traceSampleRate
      return new RequestScopeImpl(this, typeof method === 'string' ? method : 'UNKNOWN', rate > 0 && Math.random() < rate)
    } catch (err) {
      this.reportInternal(err)
      return NOOP_SCOPE
    }
  }

  finishRequest(scope: RequestScopeImpl): void {
    const w = this.window
    const route = scope.route ?? UNMATCHED
    const slot = w.routes.entry(scope.method, route).slot(statusIndex(scope.status))
    slot.count++
    if (scope.failed) slot.errors++
    slot.latency.add(scope.duration)
    slot.breakdown.merge(scope)
    if (scope.errors !== null) {
      const now = Date.now()
      for (const info of scope.errors) w.errors.add(info, route, scope.method, now)
    }
    if (!this.shipping) return
    const reason = scope.failed ? 'error' : scope.duration >= this.options.slowThresholdMs ? 'slow' : scope.headSampled ? 'sampled' : null
    if (reason === null) return
    if (w.traces.length >= this.options.maxTracesPerWindow) {
      this.queue.drops.add('trace_cap')
      return
    }
    if (scope.droppedSpans > 0) this.queue.drops.add('span_cap', scope.droppedSpans)
    w.traces.push({
      ...this.recordBase(),
      type: 'trace',
      traceId: traceId(),
      method: scope.method,
      route,
      status: scope.status,
      start: performance.timeOrigin + scope.startMs,
      duration: scope.duration,
      reason,
      sampleRate: this.options.traceSampleRate,
      spans: scope.spans ?? [],
      droppedSpans: scope.droppedSpans,
    } satisfies TraceRecord)
  }

  recordResource(kind: SpanKind, system: string, operation: string, statement: string, ms: number, failed: boolean): void {
    if (this.closed) return
    this.window.resources.entry(kind, system, operation, statement).add(ms, failed)
  }

  countLateSpan(): void {
    this.lateSpans++
  }

  track(name: string, props?: EventProps): void {
    if (this.closed) return
    try {
      if (typeof name !== 'string' || name === '' || name.length > MAX_NAME) {
        throw new TypeError(`@telltale/core: track(name, props) expects a name of 1 to ${MAX_NAME} characters; received ${describeValue(name)}`)
      }
      if (props !== undefined && (typeof props !== 'object' || props === null || Array.isArray(props))) {
        throw new TypeError(`@telltale/core: track("${name}", props) expects props to be a plain object; received ${describeValue(props)}`)
      }
      this.window.events.entry(name).add(props)
      if (this.options.rawEvents && this.shipping) {
        const scope = activeScope() as RequestScopeImpl | undefined
        this.queue.push({ ...this.recordBase(), type: 'event', name, props: sanitizeProps(props), route: scope?.route ?? null } satisfies EventRecord)
      }
    } catch (err) {
      this.reportInternal(err)
    }
  }

  span<T>(name: string, fn: () => T, options?: SpanOptions): T {
    if (typeof fn !== 'function') {
      throw new TypeError(`@telltale/core: span(name, fn) expects fn to be a function; received ${describeValue(fn)}`)
    }
    if (this.closed) return fn()
    let label = name
    if (typeof label !== 'string' || label === '') {
      this.reportInternal(new TypeError(`@telltale/core: span(name, fn) expects a non-empty string name; received ${describeValue(name)}`))
      label = fn.name || 'anonymous'
    }
    if (label.length > MAX_NAME) label = label.slice(0, MAX_NAME)
    let kind: SpanKind = 'custom'
    let system = 'app'
    if (options !== undefined) {
      if (options !== null && typeof options === 'object' && (options.kind === undefined || SPAN_KINDS.includes(options.kind)) && (options.system === undefined || (typeof options.system === 'string' && options.system !== '' && options.system.length <= MAX_NAME))) {
        kind = options.kind ?? kind
        system = options.system ?? system
      } else {
        this.reportInternal(new TypeError(`@telltale/core: span(name, fn, options) expects options { kind?: ${SPAN_KINDS.join(' | ')}, system?: non-empty string }; received ${describeValue(options)}`))
      }
    }
    const scope = activeScope()
    const start = performance.now()
    const finish = (failed: boolean) => {
      try {
        const ms = performance.now() - start
        if (scope === undefined) this.recordResource(kind, system, 'span', label, ms, failed)
        else recordSpan(scope, kind, system, 'span', label, undefined, start, ms, failed)
      } catch (err) {
        this.reportInternal(err)
      }
    }
    let result: T
    try {
      result = fn()
    } catch (err) {
      finish(true)
      throw err
    }
    if (isPromise(result)) {
      result.then(
        () => finish(false),
        () => finish(true),
      )
    } else {
      finish(false)
    }
    return result
  }

  captureError(err: unknown): void {
    if (this.closed) return
    try {
      const info = toErrorInfo(err)
      const scope = activeScope()
      if (scope instanceof RequestScopeImpl && scope.recorder === this && !scope.ended) {
        const list = (scope.errors ??= [])
        if (list.length < 5) list.push(info)
        else this.queue.drops.add('error_cap')
        return
      }
      this.window.errors.add(info, null, null, Date.now())
    } catch (e) {
      this.reportInternal(e)
    }
  }

  /** Closes the current window: folds it into the totals and queues its records. */
  seal(): void {
    try {
      const w = this.window
      const end = Date.now()
      this.window = new Window(end, this.caps)
      this.windows++
      this.overflow.routes += w.routes.overflow
      this.overflow.resources += w.resources.overflow
      this.overflow.events += w.events.overflow
      if (w.errors.dropped > 0) this.queue.drops.add('error_cap', w.errors.dropped)
      this.totals.routes.merge(w.routes)
      this.totals.resources.merge(w.resources)
      this.totals.events.merge(w.events)
      this.totals.errors.merge(w.errors)
      if (!this.shipping) return
      const base = this.recordBase()
      const metrics: MetricsRecord = {
        ...base,
        type: 'metrics',
        seq: ++this.seq,
        start: w.start,
        end,
        routes: w.routes.toMetrics(),
        resources: w.resources.toMetrics(),
        events: w.events.toMetrics(),
        dropped: this.queue.drops.take(),
        droppedTotal: this.queue.drops.totals(),
      }
      if (!this.queue.push(metrics)) this.queue.drops.giveBack(metrics.dropped)
      for (const trace of w.traces) this.queue.push(trace)
      for (const e of w.errors.entries.values()) {
        this.queue.push({
          ...base,
          type: 'error',
          name: e.info.name,
          message: e.info.message,
          stack: e.info.stack,
          fingerprint: e.info.fingerprint,
          route: e.route,
          method: e.method,
          count: e.count,
          firstSeen: e.firstSeen,
          lastSeen: e.lastSeen,
        } satisfies ErrorRecord)
      }
    } catch (err) {
      this.reportInternal(err)
    }
  }

  snapshot(): Snapshot {
    const w = this.window
    return {
      routes: this.totals.routes.toSnapshot(w.routes),
      resources: this.totals.resources.toSnapshot(w.resources),
      events: this.totals.events.toSnapshot(w.events),
      errors: this.totals.errors.toSnapshot(w.errors),
    }
  }

  stats(): TelltaleStats {
    const w = this.window
    return {
      enabled: true,
      service: this.service,
      instance: this.instance,
      windows: this.windows,
      records: {
        produced: this.queue.produced,
        queued: this.queue.records,
        queuedBytes: this.queue.bytes,
        sent: this.queue.sent(),
        dropped: this.queue.droppedRecords(),
      },
      dropped: this.queue.drops.totals(),
      transports: this.queue.deliveries.map((d) => d.stats()),
      overflow: {
        routes: this.overflow.routes + w.routes.overflow,
        resources: this.overflow.resources + w.resources.overflow,
        events: this.overflow.events + w.events.overflow,
      },
      lateSpans: this.lateSpans,
      internalErrors: this.internalErrors,
      instrument: instrumentStats(),
    }
  }

  /** True only if everything queued was delivered in time and nothing was dropped meanwhile. */
  async flush(timeoutMs?: number): Promise<boolean> {
    if (this.closed) return this.queue.drain(0)
    const droppedBefore = this.queue.droppedRecords()
    this.seal()
    const drained = await this.queue.drain(timeoutMs ?? this.options.closeTimeoutMs)
    return drained && this.queue.droppedRecords() === droppedBefore
  }

  close(): Promise<void> {
    this.closing ??= this.doClose()
    return this.closing
  }

  private async doClose(): Promise<void> {
    clearInterval(this.timer)
    this.seal()
    this.closed = true
    hub.recorders.delete(this)
    try {
      await this.queue.drain(this.options.closeTimeoutMs)
      for (const d of this.queue.deliveries) d.abandon('closed')
      await Promise.all(
        this.options.transports.map(async (t) => {
          if (typeof t.close !== 'function') return
          let timer: NodeJS.Timeout | undefined
          const timeout = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, this.options.closeTimeoutMs)
            timer.unref()
          })
          try {
            await Promise.race([withoutInstrumentation(() => t.close!()), timeout])
          } catch (err) {
            this.reportInternal(err)
          } finally {
            clearTimeout(timer)
          }
        }),
      )
    } catch (err) {
      this.reportInternal(err)
    }
  }

  reportInternal(err: unknown): void {
    this.internalErrors++
    try {
      this.onInternalError(err)
    } catch {
      // the handler itself failed: nothing more can be done without reaching the app
    }
  }

  private recordBase() {
    return { v: 1 as const, service: this.service, environment: this.options.environment, instance: this.instance, time: Date.now() }
  }
}
