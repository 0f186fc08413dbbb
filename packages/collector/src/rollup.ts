import type { ErrorRecord, EventRecord, MetricsRecord, SketchData, TelltaleRecord, TraceRecord } from '@telltale/core'
import { keyspace, RESOLUTION_MS, type Keyspace, type Resolution } from './keys.js'
import { incr, keepMax, keepMin, zadd, type HashOps, type OpBatch } from './op-batch.js'

export interface RollupSettings {
  prefix: string
  minuteRetentionMs: number
  hourRetentionMs: number
  /** Traces kept per service (newest). */
  maxTraces: number
  /** Raw `event` records kept per service (newest). */
  maxRawEvents: number
}

const KINDS = ['db', 'cache', 'http', 'custom'] as const
const MAX_STACK = 4_000

/** Adds a sketch's buckets to a rollup hash: merging is exact because counts only add. */
function addSketch(h: HashOps, s: SketchData): void {
  if (s.count === 0) return
  incr(h.ints, 'zero', s.zero)
  incr(h.floats, 'sum', s.sum)
  keepMin(h.min, 'min', s.min)
  keepMax(h.max, 'max', s.max)
  const bins = s.bins
  const into = h.bins
  for (let i = 0; i < bins.length; i++) {
    const n = bins[i]!
    if (n === 0) continue
    const k = s.offset + i
    into.set(k, (into.get(k) ?? 0) + n)
  }
}

const J = JSON.stringify

/** Turns validated records into the rollup changes of an OpBatch: the one place that knows the data model. */
export class Rollup {
  readonly keys: Keyspace
  private readonly ttl: Record<Resolution, number>

  constructor(readonly settings: RollupSettings) {
    this.keys = keyspace(settings.prefix)
    this.ttl = { m: Math.ceil(settings.minuteRetentionMs / 1000), h: Math.ceil(settings.hourRetentionMs / 1000) }
  }

  get guardTtl(): number {
    return this.ttl.h
  }

  /** Adds one record's effect; returns true if it added a guard (at index `batch.guards.length - 1`). */
  add(batch: OpBatch, record: TelltaleRecord, now: number): boolean {
    switch (record.type) {
      case 'metrics':
        return this.metrics(batch, record, now)
      case 'error':
        return this.error(batch, record, now)
      case 'trace':
        this.trace(batch, record, now)
        return false
      case 'event':
        this.event(batch, record)
        return false
    }
  }

  private touchService(batch: OpBatch, svc: string, at: number): void {
    zadd(batch.zset(this.keys.services, this.ttl.h, Number.NEGATIVE_INFINITY), svc, at)
  }

  private bucketFor(batch: OpBatch, kind: string, res: Resolution, svc: string, time: number, now: number): number {
    const size = RESOLUTION_MS[res]
    const bucket = Math.floor(time / size) * size
    const retention = res === 'm' ? this.settings.minuteRetentionMs : this.settings.hourRetentionMs
    zadd(batch.zset(this.keys.buckets(kind, res, svc), this.ttl[res], now - retention), String(bucket), bucket)
    return bucket
  }

  private metrics(batch: OpBatch, r: MetricsRecord, now: number): boolean {
    const k = this.keys
    const svc = r.service
    batch.guards.push({ kind: 'b', key: k.windowGuard(svc, r.instance), arg: String(r.seq) })
    this.touchService(batch, svc, r.end)
    const sv = batch.hash(k.service(svc), this.ttl.h)
    incr(sv.ints, 'windows', 1)
    for (const [reason, n] of Object.entries(r.dropped)) if (n > 0) incr(sv.ints, `dropped:${reason}`, n)
    const inst = batch.hash(k.instances(svc), this.ttl.h)
    incr(inst.ints, `n\t${r.instance}`, 1)
    keepMax(inst.max, `max\t${r.instance}`, r.seq)
    keepMax(inst.max, `last\t${r.instance}`, r.end)
    const tot = batch.hash(k.totals(svc), this.ttl.h)
    for (const route of r.routes) {
      const f = J([route.method, route.route, route.status])
      incr(tot.ints, `c\t${f}`, route.count)
      incr(tot.ints, `e\t${f}`, route.errors)
      incr(tot.floats, `s\t${f}`, route.latency.sum)
    }
    for (const res of ['m', 'h'] as const) {
      if (r.routes.length > 0) {
        const bucket = this.bucketFor(batch, 'r', res, svc, r.start, now)
        const index = batch.zset(k.index('r', res, bucket, svc), this.ttl[res])
        for (const route of r.routes) {
          const member = J([route.method, route.route])
          index.members.set(member, 0)
          const h = batch.hash(k.rollup('r', res, bucket, svc, member), this.ttl[res])
          incr(h.ints, 'count', route.count)
          incr(h.ints, 'errors', route.errors)
          incr(h.ints, `c:${route.status}`, route.count)
          addSketch(h, route.latency)
          for (const kind of KINDS) {
            const e = route.breakdown[kind]
            if (e === undefined || e.count === 0) continue
            incr(h.ints, `bd:${kind}:c`, e.count)
            incr(h.floats, `bd:${kind}:ms`, e.ms)
          }
        }
      }
      if (r.resources.length > 0) {
        const bucket = this.bucketFor(batch, 's', res, svc, r.start, now)
        const index = batch.zset(k.index('s', res, bucket, svc), this.ttl[res])
        for (const s of r.resources) {
          const member = J([s.kind, s.system, s.operation, s.statement])
          index.members.set(member, 0)
          const h = batch.hash(k.rollup('s', res, bucket, svc, member), this.ttl[res])
          incr(h.ints, 'count', s.count)
          incr(h.ints, 'errors', s.errors)
          addSketch(h, s.latency)
        }
      }
      if (r.events.length > 0) {
        const bucket = this.bucketFor(batch, 'e', res, svc, r.start, now)
        const index = batch.zset(k.index('e', res, bucket, svc), this.ttl[res])
        for (const e of r.events) {
          const member = J([e.name])
          index.members.set(member, 0)
          const h = batch.hash(k.rollup('e', res, bucket, svc, member), this.ttl[res])
          incr(h.ints, 'count', e.count)
          for (const [name, v] of Object.entries(e.sums ?? {})) incr(h.floats, `s:${name}`, v)
        }
      }
    }
    return true
  }

  private error(batch: OpBatch, r: ErrorRecord, now: number): boolean {
    const k = this.keys
    const svc = r.service
    batch.guards.push({ kind: 'f', key: k.errorGuard(svc, r.instance), arg: J([r.fingerprint, r.firstSeen, r.lastSeen]) })
    this.touchService(batch, svc, r.lastSeen)
    const bucket = this.bucketFor(batch, 'x', 'h', svc, r.lastSeen, now)
    const index = batch.zset(k.index('x', 'h', bucket, svc), this.ttl.h)
    index.members.set(J([r.fingerprint]), 0)
    const h = batch.hash(k.rollup('x', 'h', bucket, svc, J([r.fingerprint])), this.ttl.h)
    incr(h.ints, 'count', r.count)
    keepMax(h.max, 'lastSeen', r.lastSeen)
    keepMin(h.min, 'firstSeen', r.firstSeen)
    const info = batch.hash(k.errorInfo(svc), this.ttl.h)
    info.set.set(r.fingerprint, J({ name: r.name, message: r.message, stack: r.stack.slice(0, MAX_STACK), route: r.route, method: r.method ?? null }))
    return true
  }

  private trace(batch: OpBatch, r: TraceRecord, now: number): void {
    const k = this.keys
    const svc = r.service
    this.touchService(batch, svc, r.start)
    // A trace is stored under its id: storing it twice changes nothing.
    zadd(batch.zset(k.traces(svc), this.ttl.m, now - this.settings.minuteRetentionMs, this.settings.maxTraces, k.trace(svc)), r.traceId, r.start)
    batch.strings.set(k.trace(svc) + r.traceId, { ttl: this.ttl.m, value: J(r) })
  }

  private event(batch: OpBatch, r: EventRecord): void {
    const k = this.keys
    // Raw events carry no id: they are at-least-once. Counts come from the metrics windows.
    batch.list(k.rawEvents(r.service), this.ttl.m, this.settings.maxRawEvents).values.push(J({ name: r.name, props: r.props, route: r.route ?? null, instance: r.instance, time: r.time }))
    incr(batch.hash(k.service(r.service), this.ttl.h).ints, 'rawEvents', 1)
  }
}
