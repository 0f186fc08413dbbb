import type { TelltaleRecord, Transport } from '../types.js'
import { Delivery, type DeliverySettings } from './delivery.js'
import { DropCounter } from './drop-counter.js'
import type { QueueEntry } from './queue-entry.js'

export interface QueueSettings extends DeliverySettings {
  maxQueueRecords: number
  maxQueueBytes: number
  maxRecordBytes: number
}

/**
 * The one bounded queue between the aggregator and the transports. A record stays counted
 * here (records and bytes) until every transport has sent or dropped it; a record that does
 * not fit is dropped at once (`queue_full`), the newest first, so memory never grows past
 * the bound however long a transport is down.
 */
export class RecordQueue {
  readonly deliveries: Delivery[]
  readonly drops = new DropCounter()
  records = 0
  bytes = 0
  produced = 0

  constructor(
    transports: Transport[],
    private readonly settings: QueueSettings,
    reportInternal: (err: unknown) => void,
  ) {
    const hooks = { release: (e: QueueEntry) => this.release(e), drops: this.drops, reportInternal }
    this.deliveries = transports.map((t) => new Delivery(t, settings, hooks))
  }

  /** Queues a record for every transport; false if it was refused (and counted as dropped). */
  push(record: TelltaleRecord): boolean {
    this.produced++
    if (this.deliveries.length === 0) return false
    let bytes: number
    try {
      bytes = Buffer.byteLength(JSON.stringify(record))
    } catch {
      return this.dropEverywhere('unserializable')
    }
    if (bytes > this.settings.maxRecordBytes) return this.dropEverywhere('too_large')
    if (this.records + 1 > this.settings.maxQueueRecords || this.bytes + bytes > this.settings.maxQueueBytes) {
      return this.dropEverywhere('queue_full')
    }
    const entry: QueueEntry = { record, bytes, pending: this.deliveries.length }
    this.records++
    this.bytes += bytes
    for (const d of this.deliveries) d.push(entry)
    return true
  }

  /** A record refused before any transport saw it counts as dropped for each of them. */
  private dropEverywhere(reason: string): false {
    for (const d of this.deliveries) d.dropped[reason] = (d.dropped[reason] ?? 0) + 1
    this.drops.add(reason, this.deliveries.length)
    return false
  }

  private release(entry: QueueEntry): void {
    if (--entry.pending === 0) {
      this.records--
      this.bytes -= entry.bytes
    }
  }

  /** Resolves true when every transport is idle, false if `timeoutMs` passed first. */
  async drain(timeoutMs: number): Promise<boolean> {
    for (const d of this.deliveries) d.retryNow()
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs)
      timer.unref()
    })
    const done = Promise.all(this.deliveries.map((d) => d.whenIdle())).then(() => true)
    const result = await Promise.race([done, timedOut])
    clearTimeout(timer)
    return result
  }

  sent(): number {
    return this.deliveries.reduce((n, d) => n + d.sent, 0)
  }

  droppedRecords(): number {
    return this.deliveries.reduce((n, d) => n + Object.values(d.dropped).reduce((a, b) => a + b, 0), 0)
  }
}
