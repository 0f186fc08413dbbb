import { state } from './shared-state.js'
import { sqlCacheStats } from './sql-normalize.js'

/** Instrumentation is process-wide, so its self-telemetry is too: every instance reports it. */
export function instrumentStats(): { internalErrors: number; statementCacheEvictions: number } {
  const caches = sqlCacheStats()
  let evictions = 0
  for (const c of Object.values(caches)) evictions += c.evictions
  return { internalErrors: state.internalErrors, statementCacheEvictions: evictions }
}
