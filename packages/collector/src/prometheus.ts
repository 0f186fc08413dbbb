import type { Query } from './query.js'

/** Prometheus label values: backslash, double quote and newline are escaped. */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

const labels = (pairs: Record<string, string>) =>
  `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${labelValue(v)}"`)
    .join(',')}}`

/**
 * The Prometheus text format (0.0.4). Counters are all-time totals kept next to the
 * rollups; the duration summary's quantiles cover the last five minutes, as a client
 * library's summary would.
 */
export async function renderMetrics(query: Query, collector: Record<string, number>): Promise<string> {
  const lines: string[] = []
  const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
  const { services } = await query.services()
  const perService = await Promise.all(
    services.map(async (s) => {
      const totals = await query.totals(s.service)
      const recent = await query.routes({ service: s.service, from: Date.now() - 5 * 60_000 })
      return { s, totals, recent }
    }),
  )
  family('telltale_requests_total', 'counter', 'Requests served, by service, route and status class.')
  for (const { s, totals } of perService) for (const t of totals) lines.push(`telltale_requests_total${labels({ service: s.service, method: t.method, route: t.route, status: t.status })} ${t.count}`)
  family('telltale_request_errors_total', 'counter', 'Failed requests, by service, route and status class.')
  for (const { s, totals } of perService) for (const t of totals) lines.push(`telltale_request_errors_total${labels({ service: s.service, method: t.method, route: t.route, status: t.status })} ${t.errors}`)
  family('telltale_request_duration_milliseconds', 'summary', 'Request latency; quantiles over the last 5 minutes (within 1%).')
  for (const { s, totals, recent } of perService) {
    const sums = new Map<string, { count: number; sum: number; method: string; route: string }>()
    for (const t of totals) {
      const key = JSON.stringify([t.method, t.route])
      const cur = sums.get(key) ?? { count: 0, sum: 0, method: t.method, route: t.route }
      cur.count += t.count
      cur.sum += t.sum
      sums.set(key, cur)
    }
    for (const r of recent.routes) {
      for (const [q, v] of [['0.5', r.p50], ['0.95', r.p95], ['0.99', r.p99]] as const) {
        lines.push(`telltale_request_duration_milliseconds${labels({ service: s.service, method: r.method, route: r.route, quantile: q })} ${v}`)
      }
    }
    for (const t of sums.values()) {
      const l = labels({ service: s.service, method: t.method, route: t.route })
      lines.push(`telltale_request_duration_milliseconds_sum${l} ${t.sum}`, `telltale_request_duration_milliseconds_count${l} ${t.count}`)
    }
  }
  family('telltale_lost_windows', 'gauge', 'Windows missing from the apps\' per-instance sequence numbers (detected loss).')
  for (const { s } of perService) lines.push(`telltale_lost_windows${labels({ service: s.service })} ${s.lostWindows}`)
  family('telltale_app_dropped_records_total', 'counter', 'Records the apps reported dropping, by reason.')
  for (const { s } of perService) for (const [reason, n] of Object.entries(s.droppedByApps)) lines.push(`telltale_app_dropped_records_total${labels({ service: s.service, reason })} ${n}`)
  family('telltale_collector_entries_total', 'counter', 'Stream entries processed by all collectors.')
  lines.push(`telltale_collector_entries_total ${collector.entries ?? 0}`)
  family('telltale_collector_windows_total', 'counter', 'Metrics windows, by outcome (applied, or duplicate and ignored).')
  lines.push(`telltale_collector_windows_total{outcome="applied"} ${collector.windows_applied ?? 0}`, `telltale_collector_windows_total{outcome="duplicate"} ${collector.windows_duplicate ?? 0}`)
  family('telltale_collector_dead_lettered_total', 'counter', 'Malformed entries moved to the dead-letter stream, by reason.')
  for (const [f, n] of Object.entries(collector)) if (f.startsWith('dead:')) lines.push(`telltale_collector_dead_lettered_total${labels({ reason: f.slice(5) })} ${n}`)
  return `${lines.join('\n')}\n`
}
