export { createTelltale } from './create-telltale.js'
export { instrument } from './instrument/instrument.js'
export type { Telltale, SpanOptions } from './telltale.js'
export type { TelltaleOptions, IgnoreRule } from './options.js'
export { memoryTransport } from './transport/memory.js'
export type { MemoryTransport, MemoryTransportOptions } from './transport/memory.js'
export { consoleTransport } from './transport/console.js'
export type { ConsoleTransportOptions } from './transport/console.js'
export { TransportDropError } from './delivery/transport-drop-error.js'
export { LatencySketch, SKETCH_ALPHA, sketchQuantile } from './aggregate/sketch.js'
export { UNMATCHED, OTHER } from './aggregate/names.js'
export { withoutInstrumentation } from './scope/hub.js'
export { redactUrl } from './internal/redact-url.js'
export { scrubUrlSecrets } from './internal/redact-url.js'
export type {
  Breakdown,
  BreakdownEntry,
  ErrorRecord,
  EventMetrics,
  EventProps,
  EventRecord,
  MetricsRecord,
  RequestScope,
  ResourceMetrics,
  RouteMetrics,
  SendResult,
  SketchData,
  Snapshot,
  SnapshotError,
  SnapshotEvent,
  SnapshotResource,
  SnapshotRoute,
  SpanKind,
  StartRequestInput,
  StatusClass,
  TelltaleRecord,
  TelltaleStats,
  TraceReason,
  TraceRecord,
  TraceSpan,
  Transport,
  TransportStats,
} from './types.js'
export { bindScopeToResponse } from './adapter/bind-scope-to-response.js'
export { noteResponseError } from './adapter/bind-scope-to-response.js'
export { ABORTED_STATUS } from './adapter/bind-scope-to-response.js'
export type { BeforeScopeEnd } from './adapter/bind-scope-to-response.js'
export { routeName } from './adapter/route-name.js'
export { expectTelltale } from './adapter/expect-telltale.js'
