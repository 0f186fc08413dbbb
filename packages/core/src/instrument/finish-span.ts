import { performance } from 'node:perf_hooks'
import type { ActiveScope } from '../scope/hub.js'
import { recordSpan } from '../scope/record-span.js'
import type { SpanKind } from '../types.js'
import { state } from './shared-state.js'

/** Statement length used outside a request (no instance to ask). Documented in docs/instrument.md. */
export const DEFAULT_MAX_STATEMENT_LENGTH = 1000

export function maxStatementLength(scope: ActiveScope | undefined): number {
  return scope === undefined ? DEFAULT_MAX_STATEMENT_LENGTH : scope.recorder.maxStatementLength
}

/** Records a finished call; a failure in Telltale is counted, never thrown into the app. */
export function finishSpan(
  scope: ActiveScope | undefined,
  kind: SpanKind,
  system: string,
  operation: string,
  statement: string,
  target: string | undefined,
  t0: number,
  failed: boolean,
): void {
  try {
    recordSpan(scope, kind, system, operation, statement, target, t0, performance.now() - t0, failed)
  } catch {
    state.internalErrors++
  }
}
