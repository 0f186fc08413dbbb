/** Kinds of time a request can spend outside its own code. `custom` is `telltale.span()`. */
export type SpanKind = 'db' | 'cache' | 'http' | 'custom'

/** Status classes used as an aggregation key. `0xx` means the response had no status. */
export type StatusClass = '0xx' | '1xx' | '2xx' | '3xx' | '4xx' | '5xx'

/** Latency sketch on the wire: log buckets with relative error `alpha`; mergeable exactly. */
export interface SketchData {
  /** Relative accuracy: every quantile is within `alpha` of the true value (0.01 = 1%). */
  alpha: number
  count: number
  /** Sum of all values, in milliseconds. */
  sum: number
  min: number
  max: number
  /** Values at or below 1 ns. */
  zero: number
  /** Bucket index of `bins[0]`; bucket `i` holds values in (gamma^(i-1), gamma^i]. */
  offset: number
  bins: number[]
}

export interface BreakdownEntry {
  count: number
  ms: number
}

export interface Breakdown {
  db: BreakdownEntry
  cache: BreakdownEntry
  http: BreakdownEntry
  custom: BreakdownEntry
}

interface RecordBase {
  /** Schema version. */
  v: 1
  service: string
  environment: string
  /** `host/pid/random`: one per process and instance. */
  instance: string
  /** Epoch milliseconds when the record was made. */
  time: number
}

export interface RouteMetrics {
  method: string
  route: string
  status: StatusClass
  count: number
  errors: number
  latency: SketchData
  breakdown: Breakdown
}

export interface ResourceMetrics {
  kind: SpanKind
  system: string
  operation: string
  statement: string
  count: number
  errors: number
  latency: SketchData
}

export interface EventMetrics {
  name: string
  count: number
  /** Sums of the numeric properties passed to `track()`. */
  sums: Record<string, number>
}

export interface MetricsRecord extends RecordBase {
  type: 'metrics'
  /** +1 per window and instance: a gap means lost windows. */
  seq: number
  start: number
  end: number
  routes: RouteMetrics[]
  resources: ResourceMetrics[]
  events: EventMetrics[]
  /** What this process dropped since the previous window that reported, by reason. */
  dropped: Record<string, number>
  /**
   * Everything this process dropped since it started, by reason: counters that only grow,
   * so a consumer that lost the records carrying `dropped` still gets the totals right.
   * Always set by this core; optional for consumers of older records.
   */
  droppedTotal?: Record<string, number>
}

export interface TraceSpan {
  kind: SpanKind
  system: string
  operation: string
  statement: string
  target?: string
  /** Milliseconds from the start of the request. */
  start: number
  duration: number
  error: boolean
}

export type TraceReason = 'error' | 'slow' | 'sampled'

export interface TraceRecord extends RecordBase {
  type: 'trace'
  traceId: string
  method: string
  route: string
  status: number
  /** Epoch milliseconds at the start of the request. */
  start: number
  duration: number
  reason: TraceReason
  /** Head-sampling rate in force, so backends can extrapolate counts. */
  sampleRate: number
  spans: TraceSpan[]
  /** Spans beyond `maxSpansPerTrace`, counted but not kept. */
  droppedSpans: number
}

export interface ErrorRecord extends RecordBase {
  type: 'error'
  name: string
  message: string
  stack: string
  fingerprint: string
  /** Route template of the request, or null outside a request. */
  route: string | null
  method: string | null
  /** Occurrences folded into this record in its window. */
  count: number
  firstSeen: number
  lastSeen: number
}

export type EventProps = Record<string, string | number | boolean | null | undefined>

export interface EventRecord extends RecordBase {
  type: 'event'
  name: string
  props: Record<string, string | number | boolean | null>
  route: string | null
}

export type TelltaleRecord = MetricsRecord | TraceRecord | ErrorRecord | EventRecord

/** What a transport may report back about a batch it accepted only in part. */
export interface SendResult {
  /** Records of the batch the transport dropped itself, by reason. */
  dropped?: Record<string, number>
}

/**
 * Moves records out of the process. The core owns batching, retries, bounds and drop
 * accounting; a transport only moves bytes. Throw (or reject) to have the batch retried;
 * throw a `TransportDropError` to have it dropped without retry.
 */
export interface Transport {
  name: string
  send(records: TelltaleRecord[]): Promise<void | SendResult>
  close?(): Promise<void>
}

export interface SnapshotRoute {
  method: string
  route: string
  count: number
  errors: number
  p50: number
  p95: number
  p99: number
  max: number
  breakdown: Breakdown
  /** Count per status class. */
  statuses: Partial<Record<StatusClass, number>>
}

export interface SnapshotResource {
  kind: SpanKind
  system: string
  operation: string
  statement: string
  count: number
  errors: number
  p50: number
  p95: number
  p99: number
}

export interface SnapshotEvent {
  name: string
  count: number
  sums: Record<string, number>
}

export interface SnapshotError {
  name: string
  message: string
  fingerprint: string
  route: string | null
  count: number
}

export interface Snapshot {
  routes: SnapshotRoute[]
  resources: SnapshotResource[]
  events: SnapshotEvent[]
  errors: SnapshotError[]
}

export interface TransportStats {
  name: string
  sent: number
  dropped: Record<string, number>
  /** Failed send attempts (each retry counts). */
  failures: number
  /** Records waiting for this transport, in flight included. */
  pending: number
  lastError: string | null
}

export interface TelltaleStats {
  enabled: boolean
  service: string
  instance: string
  /** Windows sealed so far. */
  windows: number
  records: {
    /** Records made (metrics, traces, errors, events). */
    produced: number
    /** Records in the queue now, and their JSON size in bytes. */
    queued: number
    queuedBytes: number
    /** Deliveries: a record sent to two transports counts twice. */
    sent: number
    /** Record drops (queue bound, size, retries, rejection, close): per transport. */
    dropped: number
  }
  /** Everything dropped since start, by reason: records and data (traces, errors, spans) over caps. */
  dropped: Record<string, number>
  transports: TransportStats[]
  /** Requests, spans and events folded into `<other>` because a cap was reached. */
  overflow: { routes: number; resources: number; events: number }
  /** Spans that finished after their request had ended: counted, not attached. */
  lateSpans: number
  internalErrors: number
  /** Process-wide figures of instrument() and the channel subscribers. */
  instrument: {
    /** Failures inside instrumentation code, swallowed so the app never saw them. */
    internalErrors: number
    /** Normalized-statement cache: texts evicted because it was full (a sign of unbounded SQL variety). */
    statementCacheEvictions: number
  }
}

/** What an adapter gets from `telltale.startRequest()`: see the core README. */
export interface RequestScope {
  /** Runs `fn` inside this request's async context and returns what it returns. */
  run<T>(fn: () => T): T
  /** The route template (`/users/:id`), never the raw path. */
  setRoute(template: string): void
  /** Marks the request failed and captures the error with its route. */
  setError(err: unknown): void
  /** Ends the request; only the first call counts. */
  end(statusCode: number): void
  readonly ended: boolean
}

export interface StartRequestInput {
  method: string
  /** The raw path; used only to apply `ignore`, never recorded. */
  path?: string
}
