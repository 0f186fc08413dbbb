import type { TelltaleRecord } from '@telltale/core'
import { OpBatch, incr } from './op-batch.js'
import type { Rollup } from './rollup.js'
import type { AckTarget, Store } from './store/store.js'
import { parseEntry, validateRecord, type RejectReason, type Validated } from './validate-record.js'

/** A stream entry as read: its id and its `record` field (undefined if absent or trimmed). */
export interface StreamEntry {
  id: string
  record: string | undefined
}

type Item =
  | { ok: true; record: TelltaleRecord; id: string | null }
  | { ok: false; reason: RejectReason; detail: string; id: string | null; raw: string }

export interface DeadLetterSettings {
  /** Stream that receives malformed entries; null keeps only the counters (embedded mode). */
  stream: string | null
  maxLen: number
}

export interface ProcessorStats {
  entries: number
  windows: number
  duplicates: number
  errors: number
  traces: number
  events: number
  deadLettered: Record<string, number>
}

const MAX_DEAD_ENTRY = 8_192
const J = JSON.stringify

function guardIdentity(r: TelltaleRecord): string | null {
  if (r.type === 'metrics') return J(['w', r.service, r.instance, r.seq])
  if (r.type === 'error') return J(['e', r.service, r.instance, r.fingerprint, r.firstSeen, r.lastSeen])
  return null
}

/**
 * Turns entries into one atomic store update per batch. If the store reports windows it
 * has already applied (a redelivery, or another collector that got there first), they are
 * taken out and the rest is applied again: counts stay exact, and every entry is acked.
 */
export class Processor {
  readonly stats: ProcessorStats = { entries: 0, windows: 0, duplicates: 0, errors: 0, traces: 0, events: 0, deadLettered: {} }
  /** The last rejected entries, for the API (bounded). */
  readonly recentRejects: { id: string | null; reason: string; detail: string }[] = []

  constructor(
    private readonly store: Store,
    private readonly rollup: Rollup,
    private readonly ack: AckTarget | null,
    private readonly dead: DeadLetterSettings,
    private readonly maxEntryBytes: number,
  ) {}

  processEntries(entries: StreamEntry[]): Promise<void> {
    return this.apply(entries.map((e) => this.item(parseEntry(e.record, this.maxEntryBytes), e.id, e.record ?? '')))
  }

  /** Embedded mode: records straight from the core, validated like stream entries. */
  processRecords(records: readonly unknown[]): Promise<void> {
    return this.apply(records.map((r) => this.item(validateRecord(r), null, '')))
  }

  private item(v: Validated, id: string | null, raw: string): Item {
    return v.ok ? { ok: true, record: v.record, id } : { ok: false, reason: v.reason, detail: v.detail, id, raw }
  }

  private async apply(items: Item[]): Promise<void> {
    const seen = new Set<string>()
    const acks: string[] = []
    let duplicates = 0
    let live: Item[] = []
    for (const item of items) {
      if (item.id !== null) acks.push(item.id)
      const identity = item.ok ? guardIdentity(item.record) : item.id === null ? null : J(['d', item.id])
      if (identity !== null) {
        if (seen.has(identity)) {
          duplicates++
          continue
        }
        seen.add(identity)
      }
      live.push(item)
    }
    for (let attempt = 0; ; attempt++) {
      const now = Date.now()
      const batch = new OpBatch(this.rollup.guardTtl)
      const owners: Item[] = []
      let windows = 0
      for (const item of live) {
        if (item.ok) {
          if (this.rollup.add(batch, item.record, now)) owners.push(item)
          if (item.record.type === 'metrics') windows++
        } else {
          this.deadLetter(batch, item, owners)
        }
      }
      const stats = batch.hash(this.rollup.keys.stats, this.rollup.guardTtl)
      incr(stats.ints, 'entries', items.length)
      incr(stats.ints, 'windows_applied', windows)
      if (duplicates > 0) incr(stats.ints, 'windows_duplicate', duplicates)
      batch.acks.push(...acks)
      const dups = await this.store.apply(batch, this.ack)
      if (dups.length === 0) {
        this.count(items.length, live, duplicates)
        return
      }
      const taken = new Set(dups.map((i) => owners[i - 1]))
      live = live.filter((item) => !taken.has(item))
      duplicates += taken.size
      // Each round removes at least one item, so this ends; the bound is a safety net.
      if (attempt > items.length + 1) throw new Error('duplicate resolution did not converge')
    }
  }

  private deadLetter(batch: OpBatch, item: Extract<Item, { ok: false }>, owners: Item[]): void {
    const stats = batch.hash(this.rollup.keys.stats, this.rollup.guardTtl)
    incr(stats.ints, 'dead_lettered', 1)
    incr(stats.ints, `dead:${item.reason}`, 1)
    if (item.id !== null) {
      batch.guards.push({ kind: 'k', key: this.rollup.keys.deadGuard(item.id), arg: '' })
      owners.push(item)
    }
    if (this.dead.stream !== null) {
      batch.streams.push({
        key: this.dead.stream,
        maxLen: this.dead.maxLen,
        fields: ['reason', item.reason, 'detail', item.detail, 'id', item.id ?? '', 'record', item.raw.slice(0, MAX_DEAD_ENTRY)],
      })
    }
  }

  private count(entries: number, applied: Item[], duplicates: number): void {
    const s = this.stats
    s.entries += entries
    s.duplicates += duplicates
    for (const item of applied) {
      if (!item.ok) {
        s.deadLettered[item.reason] = (s.deadLettered[item.reason] ?? 0) + 1
        this.recentRejects.push({ id: item.id, reason: item.reason, detail: item.detail })
        if (this.recentRejects.length > 100) this.recentRejects.shift()
        continue
      }
      const t = item.record.type
      if (t === 'metrics') s.windows++
      else if (t === 'error') s.errors++
      else if (t === 'trace') s.traces++
      else s.events++
    }
  }
}
