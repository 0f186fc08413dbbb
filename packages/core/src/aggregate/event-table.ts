import type { EventMetrics, EventProps, SnapshotEvent } from '../types.js'
import { OTHER } from './names.js'

/** Numeric property names summed per event; more are ignored (a bound, like every other). */
const MAX_SUM_KEYS = 32

export class EventEntry {
  count = 0
  readonly sums = new Map<string, number>()
  constructor(readonly name: string) {}

  add(props: EventProps | undefined): void {
    this.count++
    if (props === undefined) return
    for (const key in props) {
      const value = props[key]
      if (typeof value !== 'number' || !Number.isFinite(value)) continue
      const prev = this.sums.get(key)
      if (prev !== undefined) this.sums.set(key, prev + value)
      else if (this.sums.size < MAX_SUM_KEYS) this.sums.set(key, value)
    }
  }
}

export class EventTable {
  private readonly byName = new Map<string, EventEntry>()
  overflow = 0

  constructor(private readonly cap: number) {}

  entry(name: string): EventEntry {
    let e = this.byName.get(name)
    if (e === undefined) {
      if (this.byName.size >= this.cap && name !== OTHER) {
        this.overflow++
        return this.other()
      }
      e = new EventEntry(name)
      this.byName.set(name, e)
    }
    return e
  }

  private other(): EventEntry {
    let e = this.byName.get(OTHER)
    if (e === undefined) {
      e = new EventEntry(OTHER)
      this.byName.set(OTHER, e)
    }
    return e
  }

  merge(other: EventTable): void {
    for (const src of other.byName.values()) {
      const dst = src.name === OTHER ? this.other() : this.entry(src.name)
      dst.count += src.count
      for (const [k, v] of src.sums) dst.sums.set(k, (dst.sums.get(k) ?? 0) + v)
    }
  }

  toMetrics(): EventMetrics[] {
    return [...this.byName.values()].map((e) => ({ name: e.name, count: e.count, sums: Object.fromEntries(e.sums) }))
  }

  toSnapshot(extra?: EventTable): SnapshotEvent[] {
    const merged = new EventTable(Number.MAX_SAFE_INTEGER)
    merged.merge(this)
    if (extra) merged.merge(extra)
    return merged.toMetrics()
  }
}
