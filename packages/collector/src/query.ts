import { LatencySketch, SKETCH_ALPHA } from '@telltale/core'
import { RESOLUTION_MS, type Resolution } from './keys.js'
import { QueryError } from './query-error.js'
import type { Rollup, RollupSettings } from './rollup.js'
import type { Store } from './store/store.js'
import { resolveRange, type RangeInput, type TimeRange } from './time-range.js'

export interface RouteQuery extends RangeInput {
  service: string
}

export interface TraceQuery extends RouteQuery {
  route?: string | undefined
  limit?: number | string | undefined
}

export interface Latency {
  p50: number
  p95: number
  p99: number
  min: number
  max: number
  mean: number
}

export interface BreakdownTotals {
  db: { count: number; ms: number }
  cache: { count: number; ms: number }
  http: { count: number; ms: number }
  custom: { count: number; ms: number }
}

export interface RouteRow extends Latency {
  method: string
  route: string
  count: number
  /** Requests per minute over the range. */
  rpm: number
  errors: number
  statuses: Record<string, number>
  breakdown: BreakdownTotals
}

export interface ResourceRow extends Latency {
  kind: string
  system: string
  operation: string
  statement: string
  count: number
  errors: number
}

export interface ServiceRow {
  service: string
  lastSeen: number
  windows: number
  /** Windows missing from per-instance `seq` numbering: data the apps sent that never arrived. */
  lostWindows: number
  instances: number
  /** What the apps reported dropping themselves, by reason. */
  droppedByApps: Record<string, number>
  rawEvents: number
}

export interface RangeMeta {
  service: string
  from: number
  to: number
  resolution: 'minute' | 'hour'
}

const KINDS = ['db', 'cache', 'http', 'custom'] as const
const round = (n: number) => Math.round(n * 1000) / 1000

/** Rebuilds a mergeable sketch from rollup hashes (bucket index -> count fields). */
export function sketchFromRows(rows: Record<string, string>[]): LatencySketch {
  const sketch = new LatencySketch()
  for (const h of rows) {
    const bins = new Map<number, number>()
    let lo = Number.POSITIVE_INFINITY
    let total = Number(h.zero ?? 0)
    for (const f in h) {
      if (f.charCodeAt(0) !== 98 || f.charCodeAt(1) !== 58) continue // "b:"
      const idx = Number(f.slice(2))
      const n = Number(h[f])
      bins.set(idx, n)
      total += n
      if (idx < lo) lo = idx
    }
    if (total === 0) continue
    const dense: number[] = []
    if (bins.size > 0) {
      const hi = Math.max(...bins.keys())
      for (let i = lo; i <= hi; i++) dense.push(bins.get(i) ?? 0)
    }
    sketch.merge({ alpha: SKETCH_ALPHA, count: total, sum: Number(h.sum ?? 0), min: Number(h.min ?? 0), max: Number(h.max ?? 0), zero: Number(h.zero ?? 0), offset: bins.size > 0 ? lo : 0, bins: dense })
  }
  return sketch
}

function latency(s: LatencySketch): Latency {
  if (s.count === 0) return { p50: 0, p95: 0, p99: 0, min: 0, max: 0, mean: 0 }
  return { p50: round(s.quantile(0.5)), p95: round(s.quantile(0.95)), p99: round(s.quantile(0.99)), min: round(s.min), max: round(s.max), mean: round(s.sum / s.count) }
}

function requireService(q: { service?: unknown }): string {
  if (typeof q.service !== 'string' || q.service === '') throw new QueryError('"service" is required (see /api/services)')
  return q.service
}

/** Reads rollups back: the answers of the HTTP API, Prometheus and the dashboard. */
export class Query {
  constructor(
    private readonly store: Store,
    private readonly rollup: Rollup,
    private readonly settings: RollupSettings,
  ) {}

  private range(input: RangeInput): TimeRange & { res: Resolution } {
    const r = resolveRange(input, this.settings.hourRetentionMs)
    const now = Date.now()
    const res: Resolution = r.to - r.from <= 6 * 3_600_000 && r.from >= now - this.settings.minuteRetentionMs ? 'm' : 'h'
    return { ...r, res }
  }

  /** Rollup hashes per member over the buckets that overlap the range. */
  private async rows(kind: string, res: Resolution, svc: string, r: TimeRange): Promise<Map<string, Record<string, string>[]>> {
    const k = this.rollup.keys
    const size = RESOLUTION_MS[res]
    const buckets = await this.store.zrange(k.buckets(kind, res, svc), Math.floor(r.from / size) * size, r.to)
    const indexes = await Promise.all(buckets.map(([, b]) => this.store.zrange(k.index(kind, res, b, svc), Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)))
    const keys: string[] = []
    const members: string[] = []
    buckets.forEach(([, b], i) => {
      for (const [m] of indexes[i]!) {
        keys.push(k.rollup(kind, res, b, svc, m))
        members.push(m)
      }
    })
    const hashes = await this.store.hgetall(keys)
    const out = new Map<string, Record<string, string>[]>()
    hashes.forEach((h, i) => {
      const m = members[i]!
      let list = out.get(m)
      if (!list) out.set(m, (list = []))
      list.push(h)
    })
    return out
  }

  private meta(svc: string, r: TimeRange & { res: Resolution }): RangeMeta {
    return { service: svc, from: r.from, to: r.to, resolution: r.res === 'm' ? 'minute' : 'hour' }
  }

  async services(): Promise<{ services: ServiceRow[] }> {
    const k = this.rollup.keys
    const list = await this.store.zrange(k.services, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, true)
    const hashes = await this.store.hgetall(list.flatMap(([svc]) => [k.service(svc), k.instances(svc)]))
    const services = list.map(([service, lastSeen], i): ServiceRow => {
      const sv = hashes[2 * i]!
      const inst = hashes[2 * i + 1]!
      const droppedByApps: Record<string, number> = {}
      for (const f in sv) if (f.startsWith('dropped:')) droppedByApps[f.slice(8)] = Number(sv[f])
      let lostWindows = 0
      let instances = 0
      for (const f in inst) {
        if (!f.startsWith('max\t')) continue
        instances++
        lostWindows += Math.max(0, Number(inst[f]) - Number(inst[`n\t${f.slice(4)}`] ?? 0))
      }
      return { service, lastSeen, windows: Number(sv.windows ?? 0), lostWindows, instances, droppedByApps, rawEvents: Number(sv.rawEvents ?? 0) }
    })
    return { services }
  }

  async routes(q: RouteQuery): Promise<RangeMeta & { routes: RouteRow[] }> {
    const svc = requireService(q)
    const r = this.range(q)
    const minutes = (r.to - r.from) / 60_000
    const rows = await this.rows('r', r.res, svc, r)
    const routes: RouteRow[] = []
    for (const [member, hashes] of rows) {
      const [method, route] = JSON.parse(member) as [string, string]
      let count = 0
      let errors = 0
      const statuses: Record<string, number> = {}
      const breakdown = Object.fromEntries(KINDS.map((kind) => [kind, { count: 0, ms: 0 }])) as unknown as BreakdownTotals
      for (const h of hashes) {
        count += Number(h.count ?? 0)
        errors += Number(h.errors ?? 0)
        for (const f in h) if (f.startsWith('c:')) statuses[f.slice(2)] = (statuses[f.slice(2)] ?? 0) + Number(h[f])
        for (const kind of KINDS) {
          breakdown[kind].count += Number(h[`bd:${kind}:c`] ?? 0)
          breakdown[kind].ms += Number(h[`bd:${kind}:ms`] ?? 0)
        }
      }
      for (const kind of KINDS) breakdown[kind].ms = round(breakdown[kind].ms)
      routes.push({ method, route, count, rpm: round(count / minutes), errors, statuses, ...latency(sketchFromRows(hashes)), breakdown })
    }
    routes.sort((a, b) => b.count - a.count || (a.route < b.route ? -1 : 1))
    return { ...this.meta(svc, r), routes }
  }

  async resources(q: RouteQuery): Promise<RangeMeta & { resources: ResourceRow[] }> {
    const svc = requireService(q)
    const r = this.range(q)
    const rows = await this.rows('s', r.res, svc, r)
    const resources: ResourceRow[] = []
    for (const [member, hashes] of rows) {
      const [kind, system, operation, statement] = JSON.parse(member) as string[]
      const count = hashes.reduce((n, h) => n + Number(h.count ?? 0), 0)
      const errors = hashes.reduce((n, h) => n + Number(h.errors ?? 0), 0)
      resources.push({ kind: kind!, system: system!, operation: operation!, statement: statement!, count, errors, ...latency(sketchFromRows(hashes)) })
    }
    resources.sort((a, b) => b.count - a.count)
    return { ...this.meta(svc, r), resources }
  }

  async events(q: RouteQuery): Promise<RangeMeta & { events: { name: string; count: number; sums: Record<string, number> }[]; recent: unknown[] }> {
    const svc = requireService(q)
    const r = this.range(q)
    const rows = await this.rows('e', r.res, svc, r)
    const events = [...rows].map(([member, hashes]) => {
      const sums: Record<string, number> = {}
      let count = 0
      for (const h of hashes) {
        count += Number(h.count ?? 0)
        for (const f in h) if (f.startsWith('s:')) sums[f.slice(2)] = (sums[f.slice(2)] ?? 0) + Number(h[f])
      }
      return { name: (JSON.parse(member) as string[])[0]!, count, sums }
    })
    events.sort((a, b) => b.count - a.count)
    const recent = (await this.store.lrange(this.rollup.keys.rawEvents(svc), 100)).map((s) => JSON.parse(s) as unknown)
    return { ...this.meta(svc, r), events, recent }
  }

  async errors(q: RouteQuery) {
    const svc = requireService(q)
    const r = resolveRange(q, this.settings.hourRetentionMs)
    const rows = await this.rows('x', 'h', svc, r)
    const fingerprints = [...rows.keys()].map((m) => (JSON.parse(m) as string[])[0]!)
    const k = this.rollup.keys
    const [info] = await this.store.hgetall([k.errorInfo(svc)])
    const errors = fingerprints.map((fingerprint) => {
      const hashes = rows.get(JSON.stringify([fingerprint]))!
      const detail = JSON.parse(info?.[fingerprint] ?? '{}') as { name?: string; message?: string; stack?: string; route?: string | null; method?: string | null }
      return {
        fingerprint,
        name: detail.name ?? 'Error',
        message: detail.message ?? '',
        route: detail.route ?? null,
        method: detail.method ?? null,
        stack: detail.stack ?? '',
        count: hashes.reduce((n, h) => n + Number(h.count ?? 0), 0),
        firstSeen: Math.min(...hashes.map((h) => Number(h.firstSeen ?? Number.POSITIVE_INFINITY))),
        lastSeen: Math.max(...hashes.map((h) => Number(h.lastSeen ?? 0))),
      }
    })
    errors.sort((a, b) => b.count - a.count)
    return { service: svc, from: r.from, to: r.to, resolution: 'hour' as const, errors }
  }

  async traces(q: TraceQuery) {
    const svc = requireService(q)
    const r = resolveRange(q, this.settings.hourRetentionMs)
    const limit = q.limit === undefined || q.limit === '' ? 50 : Number(q.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new QueryError('"limit" must be an integer from 1 to 1000')
    const route = q.route === '' ? undefined : q.route
    const k = this.rollup.keys
    const traces: unknown[] = []
    // Newest first; filtering by route reads further, in pages.
    let max = r.to
    for (let page = 0; page < 20 && traces.length < limit; page++) {
      const ids = await this.store.zrange(k.traces(svc), r.from, max, true, 200)
      if (ids.length === 0) break
      const bodies = await this.store.get(ids.map(([id]) => k.trace(svc) + id))
      for (const body of bodies) {
        if (body === null) continue
        const t = JSON.parse(body) as { route: string }
        if (route === undefined || t.route === route) traces.push(t)
        if (traces.length >= limit) break
      }
      if (ids.length < 200) break
      max = ids[ids.length - 1]![1] - 1e-3
    }
    return { service: svc, from: r.from, to: r.to, traces }
  }

  async collectorTotals(): Promise<Record<string, number>> {
    const [h] = await this.store.hgetall([this.rollup.keys.stats])
    return Object.fromEntries(Object.entries(h ?? {}).map(([f, v]) => [f, Number(v)]))
  }

  /** All-time counters per service, route and status, for Prometheus. */
  async totals(svc: string): Promise<{ method: string; route: string; status: string; count: number; errors: number; sum: number }[]> {
    const [h] = await this.store.hgetall([this.rollup.keys.totals(svc)])
    const out = []
    for (const f in h) {
      if (!f.startsWith('c\t')) continue
      const id = f.slice(2)
      const [method, route, status] = JSON.parse(id) as string[]
      out.push({ method: method!, route: route!, status: status!, count: Number(h[f]), errors: Number(h[`e\t${id}`] ?? 0), sum: Number(h[`s\t${id}`] ?? 0) })
    }
    return out
  }
}
