import type { ResourceMetrics, SnapshotResource, SpanKind } from '../types.js'
import { OTHER } from './names.js'
import { LatencySketch } from './sketch.js'

export class ResourceEntry {
  count = 0
  errors = 0
  readonly latency = new LatencySketch()
  constructor(
    readonly kind: SpanKind,
    readonly system: string,
    readonly operation: string,
    readonly statement: string,
  ) {}

  add(ms: number, failed: boolean): void {
    this.count++
    if (failed) this.errors++
    this.latency.add(ms)
  }
}

/**
 * Per kind + system + operation + statement aggregates. Keyed by statement first: the
 * normalized statement string is usually the same object each call, so its hash is cached,
 * and the few entries sharing a statement are told apart by a short scan.
 */
export class ResourceTable {
  private readonly byStatement = new Map<string, ResourceEntry[]>()
  private size = 0
  /** The entry found last: a run of calls to one statement skips the Map lookup. */
  private last: ResourceEntry | undefined = undefined
  overflow = 0

  constructor(private readonly cap: number) {}

  entry(kind: SpanKind, system: string, operation: string, statement: string): ResourceEntry {
    const last = this.last
    if (last !== undefined && last.statement === statement && last.kind === kind && last.system === system && last.operation === operation) return last
    const e = this.find(kind, system, operation, statement)
    this.last = e
    return e
  }

  private find(kind: SpanKind, system: string, operation: string, statement: string): ResourceEntry {
    let list = this.byStatement.get(statement)
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!
        if (e.kind === kind && e.system === system && e.operation === operation) return e
      }
    }
    if (this.size >= this.cap && statement !== OTHER) {
      this.overflow++
      return this.find(kind, system, OTHER, OTHER)
    }
    const e = new ResourceEntry(kind, system, operation, statement)
    if (list === undefined) {
      list = []
      this.byStatement.set(statement, list)
    }
    list.push(e)
    if (statement !== OTHER) this.size++
    return e
  }

  *entries(): IterableIterator<ResourceEntry> {
    for (const list of this.byStatement.values()) yield* list
  }

  merge(other: ResourceTable): void {
    for (const src of other.entries()) {
      const dst = this.entry(src.kind, src.system, src.operation, src.statement)
      dst.count += src.count
      dst.errors += src.errors
      dst.latency.merge(src.latency)
    }
  }

  toMetrics(): ResourceMetrics[] {
    const out: ResourceMetrics[] = []
    for (const e of this.entries()) {
      out.push({ kind: e.kind, system: e.system, operation: e.operation, statement: e.statement, count: e.count, errors: e.errors, latency: e.latency.toJSON() })
    }
    return out
  }

  toSnapshot(extra?: ResourceTable): SnapshotResource[] {
    const merged = new ResourceTable(Number.MAX_SAFE_INTEGER)
    merged.merge(this)
    if (extra) merged.merge(extra)
    const out: SnapshotResource[] = []
    for (const e of merged.entries()) {
      out.push({
        kind: e.kind,
        system: e.system,
        operation: e.operation,
        statement: e.statement,
        count: e.count,
        errors: e.errors,
        p50: e.latency.quantile(0.5),
        p95: e.latency.quantile(0.95),
        p99: e.latency.quantile(0.99),
      })
    }
    return out
  }
}
