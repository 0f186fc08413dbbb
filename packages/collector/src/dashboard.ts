import { escapeHtml as e } from './escape-html.js'
import type { Query } from './query.js'

const STYLE = 'body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:2em}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}h2{margin-top:2em}.muted{color:#777}'

/** A server-rendered page: services, then each service's routes over the last hour. No script. */
export async function renderDashboard(query: Query, selected: string | undefined): Promise<string> {
  const { services } = await query.services()
  const parts: string[] = []
  parts.push('<h1>Telltale</h1>')
  if (services.length === 0) parts.push('<p class="muted">No data yet: point an app\'s redisTransport at the stream this collector reads.</p>')
  parts.push('<table><tr><th>service</th><th>instances</th><th>windows</th><th>lost windows</th><th>last seen</th></tr>')
  for (const s of services) {
    parts.push(
      `<tr><td><a href="/?service=${encodeURIComponent(s.service)}">${e(s.service)}</a></td><td>${s.instances}</td><td>${s.windows}</td><td>${s.lostWindows}</td><td>${e(new Date(s.lastSeen).toISOString())}</td></tr>`,
    )
  }
  parts.push('</table>')
  const service = selected ?? services[0]?.service
  if (service !== undefined) {
    const { routes } = await query.routes({ service })
    parts.push(`<h2>${e(service)}: routes, last hour</h2>`)
    parts.push('<table><tr><th>route</th><th>count</th><th>rpm</th><th>errors</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>db ms</th><th>cache ms</th><th>http ms</th></tr>')
    for (const r of routes) {
      parts.push(
        `<tr><td>${e(r.method)} ${e(r.route)}</td><td>${r.count}</td><td>${r.rpm}</td><td>${r.errors}</td><td>${r.p50}</td><td>${r.p95}</td><td>${r.p99}</td><td>${r.breakdown.db.ms}</td><td>${r.breakdown.cache.ms}</td><td>${r.breakdown.http.ms}</td></tr>`,
      )
    }
    parts.push('</table>')
    const { errors } = await query.errors({ service })
    if (errors.length > 0) {
      parts.push(`<h2>${e(service)}: errors, last hour</h2><table><tr><th>error</th><th>route</th><th>count</th></tr>`)
      for (const x of errors.slice(0, 50)) parts.push(`<tr><td>${e(x.name)}: ${e(x.message)}</td><td>${e(x.route ?? '')}</td><td>${x.count}</td></tr>`)
      parts.push('</table>')
    }
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>Telltale</title><style>${STYLE}</style></head><body>${parts.join('')}</body></html>`
}
