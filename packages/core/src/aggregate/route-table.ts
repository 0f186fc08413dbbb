import type { RouteMetrics, SnapshotRoute, StatusClass } from '../types.js'
import { BreakdownCounters } from './breakdown.js'
import { OTHER } from './names.js'
import { LatencySketch } from './sketch.js'
import { STATUS_CLASSES } from './status-class.js'

export class RouteSlot {
  count = 0
  errors = 0
  readonly latency = new LatencySketch()
  readonly breakdown = new BreakdownCounters()

  merge(o: RouteSlot): void {
    this.count += o.count
    this.errors += o.errors
    this.latency.merge(o.latency)
    this.breakdown.merge(o.breakdown)
  }
}

/** Slots of one method + route, one per status class, made on first use. */
export class RouteEntry {
  readonly slots: (RouteSlot | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined]
  constructor(
    readonly method: string,
    readonly route: string,
  ) {}

  slot(statusIndex: number): RouteSlot {
    return (this.slots[statusIndex] ??= new RouteSlot())
  }
}

/** Per method → route → status class aggregates, with a cap on distinct method + route pairs. */
export class RouteTable {
  private readonly byMethod = new Map<string, Map<string, RouteEntry>>()
  private size = 0
  /** Requests counted under `<other>` because the cap was reached. */
  overflow = 0

  constructor(private readonly cap: number) {}

  entry(method: string, route: string): RouteEntry {
    const routes = this.routesOf(method)
    let entry = routes.get(route)
    if (entry === undefined) {
      if (this.size >= this.cap) {
        this.overflow++
        return this.otherEntry(method)
      }
      entry = new RouteEntry(method, route)
      routes.set(route, entry)
      this.size++
    }
    return entry
  }

  private routesOf(method: string): Map<string, RouteEntry> {
    let routes = this.byMethod.get(method)
    if (routes === undefined) {
      routes = new Map()
      this.byMethod.set(method, routes)
    }
    return routes
  }

  /** `<other>` is not counted against the cap, so overflow always has somewhere to go. */
  private otherEntry(method: string): RouteEntry {
    const routes = this.routesOf(method)
    let entry = routes.get(OTHER)
    if (entry === undefined) {
      entry = new RouteEntry(method, OTHER)
      routes.set(OTHER, entry)
    }
    return entry
  }

  *entries(): IterableIterator<RouteEntry> {
    for (const routes of this.byMethod.values()) yield* routes.values()
  }

  /** Adds another table's counts; used to fold a sealed window into the totals since start. */
  merge(other: RouteTable): void {
    for (const src of other.entries()) {
      const dst = src.route === OTHER ? this.otherEntry(src.method) : this.entry(src.method, src.route)
      for (let i = 0; i < src.slots.length; i++) {
        const s = src.slots[i]
        if (s !== undefined) dst.slot(i).merge(s)
      }
    }
  }

  toMetrics(): RouteMetrics[] {
    const out: RouteMetrics[] = []
    for (const e of this.entries()) {
      e.slots.forEach((s, i) => {
        if (s === undefined) return
        out.push({
          method: e.method,
          route: e.route,
          status: STATUS_CLASSES[i]!,
          count: s.count,
          errors: s.errors,
          latency: s.latency.toJSON(),
          breakdown: s.breakdown.toJSON(),
        })
      })
    }
    return out
  }

  toSnapshot(extra?: RouteTable): SnapshotRoute[] {
    const merged = new Map<string, { method: string; route: string; all: RouteSlot; statuses: Partial<Record<StatusClass, number>> }>()
    const fold = (table: RouteTable) => {
      for (const e of table.entries()) {
        const key = `${e.method} ${e.route}`
        let m = merged.get(key)
        if (m === undefined) {
          m = { method: e.method, route: e.route, all: new RouteSlot(), statuses: {} }
          merged.set(key, m)
        }
        e.slots.forEach((s, i) => {
          if (s === undefined) return
          m.all.merge(s)
          const cls = STATUS_CLASSES[i]!
          m.statuses[cls] = (m.statuses[cls] ?? 0) + s.count
        })
      }
    }
    fold(this)
    if (extra) fold(extra)
    return [...merged.values()].map(({ method, route, all, statuses }) => ({
      method,
      route,
      count: all.count,
      errors: all.errors,
      p50: all.latency.quantile(0.5),
      p95: all.latency.quantile(0.95),
      p99: all.latency.quantile(0.99),
      max: all.latency.count ? all.latency.max : 0,
      breakdown: all.breakdown.toJSON(),
      statuses,
    }))
  }
}
