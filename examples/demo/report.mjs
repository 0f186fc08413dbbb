const SERVICE = 'shop-api'

async function api(base, path, params) {
  const url = new URL(path, base)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v))
  const res = await fetch(url)
  if (!res.ok) throw new Error(`collector ${url.pathname}: HTTP ${res.status} ${await res.text()}`)
  return res.json()
}

/** What Telltale saw, read back from the collector's HTTP API (the same API a dashboard uses). */
export async function readCollector(base, { from, loadMs }) {
  const params = { service: SERVICE, from, to: Date.now() + 1_000 }
  const [routes, resources, events, errors] = await Promise.all(
    ['/api/routes', '/api/resources', '/api/events', '/api/errors'].map((p) => api(base, p, params)),
  )
  return {
    // The collector's own rpm spreads requests over the queried range; the demo's range is its load.
    routes: routes.routes.map((r) => ({ ...r, rpm: Math.round((r.count / loadMs) * 60_000) })),
    resources: resources.resources,
    events: events.events,
    errors: errors.errors.map(({ stack: _stack, ...e }) => e),
  }
}

const ms = (v) => (v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`)
const pct = (part, whole) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '-')
const pad = (s, n) => String(s).padEnd(n)
const lpad = (s, n) => String(s).padStart(n)

/** The report as text lines. */
export function formatReport(report) {
  const { telltale, load, setup } = report
  const out = []
  out.push('', `Telltale demo: ${setup.framework} shop API, ${(load.elapsedMs / 1000).toFixed(1)} s of load over ${setup.connections} connections`)
  for (const [k, v] of Object.entries(setup.lines)) out.push(`  ${pad(k, 9)} ${v}`)
  out.push('', 'Routes (time shares: where each route spent its time)')
  const header = `  ${pad('route', 28)}${lpad('req', 7)}${lpad('rpm', 8)}${lpad('p50', 10)}${lpad('p95', 10)}${lpad('p99', 10)}${lpad('err', 6)}${lpad('db', 6)}${lpad('cache', 7)}${lpad('http', 6)}${lpad('own', 6)}`
  out.push(header)
  for (const r of telltale.routes) {
    const total = r.mean * r.count
    const { db, cache, http } = r.breakdown
    out.push(
      `  ${pad(`${r.method} ${r.route}`, 28)}${lpad(r.count, 7)}${lpad(r.rpm, 8)}${lpad(ms(r.p50), 10)}${lpad(ms(r.p95), 10)}${lpad(ms(r.p99), 10)}` +
        `${lpad(pct(r.errors, r.count), 6)}${lpad(pct(db.ms, total), 6)}${lpad(pct(cache.ms, total), 7)}${lpad(pct(http.ms, total), 6)}` +
        lpad(pct(Math.max(0, total - db.ms - cache.ms - http.ms), total), 6),
    )
  }
  out.push(`  err: responses >= 500; db / cache / http: share of the route's time in each; own: the rest, the app's own code`)
  out.push('', 'Top resources (by total time)')
  const resources = [...telltale.resources].sort((a, b) => b.mean * b.count - a.mean * a.count).slice(0, 8)
  for (const r of resources) {
    const statement = r.statement.length > 70 ? `${r.statement.slice(0, 67)}...` : r.statement
    out.push(`  ${pad(`${r.kind}/${r.system}`, 13)}${lpad(r.count, 7)} x ${lpad(ms(r.p50), 9)} p50 ${lpad(ms(r.p95), 9)} p95   ${statement}`)
  }
  out.push('', 'Events')
  if (telltale.events.length === 0) out.push('  (none)')
  for (const e of telltale.events) {
    const sums = Object.entries(e.sums ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')
    out.push(`  ${pad(e.name, 20)}${lpad(e.count, 7)}${sums ? `   sums: ${sums}` : ''}`)
  }
  out.push('', 'Errors')
  if (telltale.errors.length === 0) out.push('  (none)')
  for (const e of mergeErrors(telltale.errors)) out.push(`  ${pad(`${e.name}: ${e.message}`, 44)}${lpad(e.count, 7)}   ${e.method ?? ''} ${e.route ?? ''}`)
  const answered = Object.entries(load.statuses)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')
  const counted = telltale.routes.reduce((n, r) => n + r.count, 0)
  out.push('', `The load generator sent ${load.requests} requests (${answered}); Telltale counted ${counted}.`)
  return out
}

/** One line per error as a reader sees it: the collector keeps one per stack fingerprint. */
function mergeErrors(errors) {
  const byText = new Map()
  for (const e of errors) {
    const k = `${e.name}\n${e.message}\n${e.method}\n${e.route}`
    const seen = byText.get(k)
    if (seen === undefined) byText.set(k, { ...e })
    else seen.count += e.count
  }
  return [...byText.values()].sort((a, b) => b.count - a.count)
}
