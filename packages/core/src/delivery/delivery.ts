import type { SendResult, Transport, TransportStats } from '../types.js'
import type { DropCounter } from './drop-counter.js'
import type { QueueEntry } from './queue-entry.js'
import { withoutInstrumentation } from '../scope/hub.js'
import { TransportDropError } from './transport-drop-error.js'

export interface DeliverySettings {
  batchSize: number
  sendTimeoutMs: number
  maxRetries: number
  retryBaseMs: number
  retryMaxMs: number
}

export interface DeliveryHooks {
  /** The transport is done with an entry (sent or dropped). */
  release(entry: QueueEntry): void
  drops: DropCounter
  reportInternal(err: unknown): void
}

class SendTimeoutError extends Error {
  constructor(name: string, ms: number) {
    super(`transport "${name}" did not finish a send within ${ms} ms`)
  }
}

/** Describes a transport failure for stats without its payload or any secret it may echo. */
function describeFailure(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300)
  return String(err).slice(0, 300)
}

/**
 * Feeds one transport: batches, one send in flight, a send timeout, retries with
 * exponential backoff and full jitter, and drop accounting. Entries wait here until sent;
 * their memory is bounded by the shared queue they belong to.
 */
export class Delivery {
  private pending: QueueEntry[] = []
  private head = 0
  private inFlight: QueueEntry[] | null = null
  private attempt = 0
  private retryTimer: NodeJS.Timeout | null = null
  private pumpScheduled = false
  private generation = 0
  private idleWaiters: (() => void)[] = []
  private stopped = false
  sent = 0
  failures = 0
  lastError: string | null = null
  readonly dropped: Record<string, number> = {}

  constructor(
    readonly transport: Transport,
    private readonly settings: DeliverySettings,
    private readonly hooks: DeliveryHooks,
  ) {}

  get pendingCount(): number {
    return this.pending.length - this.head + (this.inFlight?.length ?? 0)
  }

  get idle(): boolean {
    return this.pendingCount === 0
  }

  push(entry: QueueEntry): void {
    this.pending.push(entry)
    this.schedulePump()
  }

  /** Resolves when nothing is pending or in flight. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Skips a running backoff: used by flush() and close() to try once more now. */
  retryNow(): void {
    if (this.retryTimer !== null) {
      clearTimeout(this.retryTimer)
      this.retryTimer = null
      this.sendInFlight()
    }
  }

  /** Drops everything still waiting (close after its timeout). */
  abandon(reason: string): void {
    this.stopped = true
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.generation++
    if (this.inFlight !== null) this.dropBatch(this.inFlight, reason)
    this.inFlight = null
    const rest = this.pending.slice(this.head)
    this.pending = []
    this.head = 0
    if (rest.length > 0) this.dropBatch(rest, reason)
    this.notifyIdle()
  }

  stats(): TransportStats {
    return { name: this.transport.name, sent: this.sent, dropped: { ...this.dropped }, failures: this.failures, pending: this.pendingCount, lastError: this.lastError }
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.inFlight !== null || this.stopped) return
    this.pumpScheduled = true
    // Records sealed together (a window's metrics, traces and errors) go in one batch.
    setImmediate(() => {
      this.pumpScheduled = false
      this.pump()
    })
  }

  private pump(): void {
    if (this.inFlight !== null || this.stopped) return
    const available = this.pending.length - this.head
    if (available === 0) {
      this.notifyIdle()
      return
    }
    const n = Math.min(available, this.settings.batchSize)
    this.inFlight = this.pending.slice(this.head, this.head + n)
    this.head += n
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head)
      this.head = 0
    }
    this.sendInFlight()
  }

  private sendInFlight(): void {
    const batch = this.inFlight
    if (batch === null || this.stopped) return
    const gen = ++this.generation
    let timer: NodeJS.Timeout | null = null
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SendTimeoutError(this.transport.name, this.settings.sendTimeoutMs)), this.settings.sendTimeoutMs)
      timer.unref()
    })
    let sending: Promise<void | SendResult>
    try {
      // Telltale's own I/O is not the app's: a transport's requests are not recorded as spans.
      const records = batch.map((e) => e.record)
      sending = Promise.resolve(withoutInstrumentation(() => this.transport.send(records)))
    } catch (err) {
      sending = Promise.reject(err)
    }
    Promise.race([sending, timeout]).then(
      (result) => {
        if (timer) clearTimeout(timer)
        if (gen === this.generation) this.onSent(batch, result)
      },
      (err: unknown) => {
        if (timer) clearTimeout(timer)
        if (gen === this.generation) this.onFailed(batch, err)
      },
    )
    // A hung send that settles after its timeout must not surface as an unhandled rejection.
    sending.catch(() => {})
  }

  private onSent(batch: QueueEntry[], result: void | SendResult): void {
    this.inFlight = null
    this.attempt = 0
    let droppedByTransport = 0
    const dropped = result && typeof result === 'object' ? result.dropped : undefined
    if (dropped) {
      for (const [reason, n] of Object.entries(dropped)) {
        const count = Math.max(0, Math.min(Math.floor(Number(n) || 0), batch.length - droppedByTransport))
        if (count > 0) this.countDrop(reason, count)
        droppedByTransport += count
      }
    }
    this.sent += batch.length - droppedByTransport
    for (const e of batch) this.hooks.release(e)
    this.pump()
  }

  private onFailed(batch: QueueEntry[], err: unknown): void {
    this.failures++
    this.lastError = describeFailure(err)
    if (err instanceof TransportDropError || (err instanceof Error && err.name === 'TransportDropError' && typeof (err as TransportDropError).reason === 'string')) {
      this.inFlight = null
      this.attempt = 0
      this.dropBatch(batch, (err as TransportDropError).reason)
      this.pump()
      return
    }
    this.attempt++
    if (this.attempt > this.settings.maxRetries) {
      this.inFlight = null
      this.attempt = 0
      this.dropBatch(batch, err instanceof SendTimeoutError ? 'send_timeout' : 'retries_exhausted')
      this.pump()
      return
    }
    const ceiling = Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 2 ** (this.attempt - 1))
    // Full jitter, with a floor of half the ceiling so retries do not come back too soon.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.sendInFlight()
    }, delay)
    this.retryTimer.unref()
  }

  private dropBatch(batch: QueueEntry[], reason: string): void {
    this.countDrop(reason, batch.length)
    for (const e of batch) this.hooks.release(e)
  }

  private countDrop(reason: string, n: number): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + n
    this.hooks.drops.add(reason, n)
  }

  private notifyIdle(): void {
    if (!this.idle || this.idleWaiters.length === 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }
}
