import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { renderDashboard } from './dashboard.js'
import { renderMetrics } from './prometheus.js'
import { QueryError } from './query-error.js'
import type { Query } from './query.js'

export interface HttpDeps {
  query: Query
  token: string | null
  /** Collector-wide counters (entries, windows, dead letters) for /metrics and /api/collector. */
  collectorTotals(): Promise<Record<string, number>>
  localStats(): unknown
  onError(err: unknown): void
}

const digest = (s: string) => createHash('sha256').update(s).digest()

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  })
  res.end(body)
}

const json = (res: ServerResponse, status: number, value: unknown, extra?: Record<string, string>) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), extra)
const fail = (res: ServerResponse, status: number, code: string, message: string, extra?: Record<string, string>) => json(res, status, { error: { code, message } }, extra)

/** The query API, /metrics and the dashboard. Read-only, GET only, bearer token when configured. */
export function createHttpServer(deps: HttpDeps): Server {
  const expected = deps.token === null ? null : digest(deps.token)
  const authorized = (req: IncomingMessage): boolean => {
    if (expected === null) return true
    const header = req.headers.authorization
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false
    return timingSafeEqual(digest(header.slice(7)), expected)
  }
  const q = deps.query

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'method_not_allowed', 'only GET is supported', { allow: 'GET, HEAD' })
    if (!authorized(req)) return fail(res, 401, 'unauthorized', 'a valid "Authorization: Bearer <token>" header is required', { 'www-authenticate': 'Bearer' })
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://collector')
    } catch {
      return fail(res, 400, 'bad_request', 'unreadable URL')
    }
    const p = url.searchParams
    const one = (name: string): string | undefined => {
      const all = p.getAll(name)
      if (all.length > 1) throw new QueryError(`"${name}" is given ${all.length} times`)
      return all[0]
    }
    const range = () => ({ service: one('service') ?? '', from: one('from'), to: one('to') })
    switch (url.pathname) {
      case '/api/services':
        return json(res, 200, await q.services())
      case '/api/routes':
        return json(res, 200, await q.routes(range()))
      case '/api/resources':
        return json(res, 200, await q.resources(range()))
      case '/api/events':
        return json(res, 200, await q.events(range()))
      case '/api/errors':
        return json(res, 200, await q.errors(range()))
      case '/api/traces':
        return json(res, 200, await q.traces({ ...range(), route: one('route'), limit: one('limit') }))
      case '/api/collector':
        return json(res, 200, { totals: await deps.collectorTotals(), local: deps.localStats() })
      case '/metrics':
        return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', await renderMetrics(q, await deps.collectorTotals()))
      case '/':
        return send(res, 200, 'text/html; charset=utf-8', await renderDashboard(q, one('service')), {
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        })
      default:
        return fail(res, 404, 'not_found', 'no such endpoint; see /api/services, /api/routes, /api/resources, /api/errors, /api/traces, /api/events, /metrics')
    }
  }

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof QueryError) return fail(res, err.status, 'bad_request', err.message)
      deps.onError(err)
      if (!res.headersSent) fail(res, 503, 'unavailable', 'the store could not answer; see the collector log')
      else res.destroy()
    })
  })
}
