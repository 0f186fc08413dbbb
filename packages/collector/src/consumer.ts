import type { Redis } from 'ioredis'
import type { Processor, StreamEntry } from './processor.js'

export interface ConsumerSettings {
  stream: string
  group: string
  consumer: string
  /** Entries per XREADGROUP. */
  batchSize: number
  blockMs: number
  /** Entries pending longer than this on another consumer are taken over. */
  claimIdleMs: number
  claimIntervalMs: number
}

export interface ConsumerStats {
  reads: number
  claimed: number
  /** Entries that had been trimmed from the stream before they could be read. */
  trimmed: number
  failures: number
  lastError: string | null
}

type RawEntry = [string, string[] | null]

/** Splits a reply into readable entries and the ids of entries trimmed away while pending. */
function toEntries(raw: RawEntry[] | null | undefined): { entries: StreamEntry[]; trimmed: string[] } {
  const entries: StreamEntry[] = []
  const trimmed: string[] = []
  for (const [id, fields] of raw ?? []) {
    if (fields === null) {
      trimmed.push(id)
      continue
    }
    let record: string | undefined
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'record') record = fields[i + 1]
    entries.push({ id, record })
  }
  return { entries, trimmed }
}

/**
 * The entries of a one-stream XREADGROUP reply: `[[key, entries]]` in RESP2, `[key, entries]`
 * when the client maps a RESP3 reply (ioredis 6), null on timeout.
 */
function streamEntries(res: unknown): RawEntry[] | null {
  if (!Array.isArray(res) || res.length === 0) return null
  if (typeof res[0] === 'string' || Buffer.isBuffer(res[0])) return (res[1] as RawEntry[] | undefined) ?? null
  return ((res[0] as [string, RawEntry[]])[1] as RawEntry[] | undefined) ?? null
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

/**
 * One consumer of the group. It first re-reads its own pending entries (a restart after a
 * crash resumes exactly where the acks stopped), then new ones; every `claimIntervalMs` it
 * takes over entries another consumer left pending for `claimIdleMs` (XAUTOCLAIM).
 * Entries are acked by the processor, in the same atomic step that stores their effect.
 */
export class StreamConsumer {
  readonly stats: ConsumerStats = { reads: 0, claimed: 0, trimmed: 0, failures: 0, lastError: null }
  private running = false
  private loop: Promise<void> | null = null
  private nextClaim = 0
  private claimCursor = '0-0'
  /** The batch being stored while the next one is read: at most two in flight. */
  private inflight: Promise<void> | null = null

  constructor(
    private readonly client: Redis,
    private readonly settings: ConsumerSettings,
    private readonly processor: Processor,
    private readonly describeError: (err: unknown) => string,
    private readonly onError: (message: string) => void,
  ) {}

  async ensureGroup(): Promise<void> {
    try {
      // From the stream's start: records written before the first collector ran are counted too.
      await this.client.xgroup('CREATE', this.settings.stream, this.settings.group, '0', 'MKSTREAM')
    } catch (err) {
      if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err
    }
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.running = false
    await this.loop
    await this.settle().catch(() => {})
  }

  private async run(): Promise<void> {
    const s = this.settings
    let ownPending = true
    let backoff = 100
    let groupReady = false
    while (this.running) {
      try {
        if (!groupReady) {
          await this.ensureGroup()
          groupReady = true
        }
        // Pending entries include the batch in flight: let it finish before re-reading them.
        if (ownPending) await this.settle()
        if (Date.now() >= this.nextClaim) {
          await this.claim()
          this.nextClaim = Date.now() + s.claimIntervalMs
        }
        const block = ownPending ? [] : ['BLOCK', String(s.blockMs)]
        const res = await this.client.call('XREADGROUP', 'GROUP', s.group, s.consumer, 'COUNT', String(s.batchSize), ...block, 'STREAMS', s.stream, ownPending ? '0' : '>')
        const { entries, trimmed } = toEntries(streamEntries(res))
        this.stats.reads++
        if (trimmed.length > 0) {
          await this.client.xack(s.stream, s.group, ...trimmed)
          this.stats.trimmed += trimmed.length
        }
        if (entries.length > 0) {
          if (ownPending) {
            await this.processor.processEntries(entries)
          } else {
            // Store this batch while reading the next: reads and writes use two connections.
            const current = this.processor.processEntries(entries)
            current.catch(() => {})
            const previous = this.inflight
            this.inflight = current
            if (previous !== null) await previous
          }
        } else if (trimmed.length === 0) {
          ownPending = false
        }
        backoff = 100
      } catch (err) {
        await this.settle().catch(() => {})
        if (!this.running) break
        this.stats.failures++
        this.stats.lastError = this.describeError(err)
        this.onError(`reading ${s.stream}: ${this.stats.lastError}`)
        if (err instanceof Error && err.message.includes('NOGROUP')) groupReady = false
        // Whatever was read but not stored is still pending for us: read it again first.
        ownPending = true
        await sleep(backoff)
        backoff = Math.min(backoff * 2, 5_000)
      }
    }
  }

  /** Waits for the batch in flight; rethrows its failure. */
  private async settle(): Promise<void> {
    const p = this.inflight
    this.inflight = null
    if (p !== null) await p
  }

  private async claim(): Promise<void> {
    const s = this.settings
    for (let round = 0; round < 20 && this.running; round++) {
      const res = (await this.client.call('XAUTOCLAIM', s.stream, s.group, s.consumer, String(s.claimIdleMs), this.claimCursor, 'COUNT', String(s.batchSize))) as [string, RawEntry[], string[]?]
      this.claimCursor = res[0]
      const { entries } = toEntries(res[1])
      if (entries.length > 0) {
        this.stats.claimed += entries.length
        await this.processor.processEntries(entries)
      }
      this.stats.trimmed += res[2]?.length ?? 0
      if (this.claimCursor === '0-0') break
    }
  }
}
