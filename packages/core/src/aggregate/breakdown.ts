import type { Breakdown, SpanKind } from '../types.js'

/** Time and count per span kind, as plain numbers (a request scope holds one of these). */
export class BreakdownCounters {
  dbCount = 0
  dbMs = 0
  cacheCount = 0
  cacheMs = 0
  httpCount = 0
  httpMs = 0
  customCount = 0
  customMs = 0

  add(kind: SpanKind, ms: number): void {
    switch (kind) {
      case 'db':
        this.dbCount++
        this.dbMs += ms
        break
      case 'cache':
        this.cacheCount++
        this.cacheMs += ms
        break
      case 'http':
        this.httpCount++
        this.httpMs += ms
        break
      default:
        this.customCount++
        this.customMs += ms
    }
  }

  merge(o: BreakdownCounters): void {
    this.dbCount += o.dbCount
    this.dbMs += o.dbMs
    this.cacheCount += o.cacheCount
    this.cacheMs += o.cacheMs
    this.httpCount += o.httpCount
    this.httpMs += o.httpMs
    this.customCount += o.customCount
    this.customMs += o.customMs
  }

  toJSON(): Breakdown {
    return {
      db: { count: this.dbCount, ms: round3(this.dbMs) },
      cache: { count: this.cacheCount, ms: round3(this.cacheMs) },
      http: { count: this.httpCount, ms: round3(this.httpMs) },
      custom: { count: this.customCount, ms: round3(this.customMs) },
    }
  }
}

export function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
