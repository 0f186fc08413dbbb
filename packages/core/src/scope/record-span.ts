import type { SpanKind } from '../types.js'
import { type ActiveScope, hub, SILENT_SCOPE } from './hub.js'

/**
 * Records one finished call (a query, a cache command, an outbound request, a block).
 * `scope` is the scope that was active when the call *started*: callbacks of pooled
 * clients may finish in another context, and attributing by start is what is right.
 * Outside a request the call counts in the resource statistics of every live instance.
 */
export function recordSpan(
  scope: ActiveScope | undefined,
  kind: SpanKind,
  system: string,
  operation: string,
  statement: string,
  target: string | undefined,
  startMs: number,
  ms: number,
  failed: boolean,
): void {
  if (scope !== undefined) {
    if (scope === SILENT_SCOPE) return
    const recorder = scope.recorder
    if (scope.ended) recorder.countLateSpan()
    else scope.addSpan(kind, system, operation, statement, target, startMs, ms, failed)
    recorder.recordResource(kind, system, operation, statement, ms, failed)
    return
  }
  for (const recorder of hub.recorders) recorder.recordResource(kind, system, operation, statement, ms, failed)
}
