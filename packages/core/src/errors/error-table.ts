import type { SnapshotError } from '../types.js'
import type { ErrorInfo } from './error-info.js'

export class ErrorEntry {
  count = 0
  firstSeen: number
  lastSeen: number
  constructor(
    readonly info: ErrorInfo,
    readonly route: string | null,
    readonly method: string | null,
    now: number,
  ) {
    this.firstSeen = now
    this.lastSeen = now
  }
}

/** Errors of one window, folded by fingerprint and route; distinct entries are capped. */
export class ErrorTable {
  readonly entries = new Map<string, ErrorEntry>()
  /** Occurrences not kept because the cap was reached. */
  dropped = 0

  constructor(private readonly cap: number) {}

  add(info: ErrorInfo, route: string | null, method: string | null, now: number, count = 1): void {
    const key = route === null ? info.fingerprint : `${info.fingerprint} ${method} ${route}`
    let e = this.entries.get(key)
    if (e === undefined) {
      if (this.entries.size >= this.cap) {
        this.dropped += count
        return
      }
      e = new ErrorEntry(info, route, method, now)
      this.entries.set(key, e)
    }
    e.count += count
    if (now < e.firstSeen) e.firstSeen = now
    if (now > e.lastSeen) e.lastSeen = now
  }

  merge(other: ErrorTable): void {
    for (const e of other.entries.values()) {
      this.add(e.info, e.route, e.method, e.firstSeen, e.count)
      const mine = this.entries.get(e.route === null ? e.info.fingerprint : `${e.info.fingerprint} ${e.method} ${e.route}`)
      if (mine && e.lastSeen > mine.lastSeen) mine.lastSeen = e.lastSeen
    }
  }

  toSnapshot(extra?: ErrorTable): SnapshotError[] {
    const merged = new ErrorTable(Number.MAX_SAFE_INTEGER)
    merged.merge(this)
    if (extra) merged.merge(extra)
    return [...merged.entries.values()].map((e) => ({
      name: e.info.name,
      message: e.info.message,
      fingerprint: e.info.fingerprint,
      route: e.route,
      count: e.count,
    }))
  }
}
