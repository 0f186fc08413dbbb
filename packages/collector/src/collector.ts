import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { redactUrl, TransportDropError, type Transport } from '@telltale/core'
import { Redis } from 'ioredis'
import { resolveCollectorOptions, type CollectorOptions } from './collector-options.js'
import { StreamConsumer, type ConsumerStats } from './consumer.js'
import { createHttpServer } from './http-server.js'
import { Processor, type ProcessorStats } from './processor.js'
import { renderMetrics } from './prometheus.js'
import { Query } from './query.js'
import { describeError } from './redact.js'
import { Rollup } from './rollup.js'
import { MemoryStore, StoreFullError } from './store/memory-store.js'
import { RedisStore } from './store/redis-store.js'
import type { Store } from './store/store.js'

export interface CollectorStats {
  store: 'redis' | 'memory'
  /** Where rollups live, password removed. */
  redis: string | null
  consumer: string | null
  processed: ProcessorStats
  stream: ConsumerStats | null
  /** Embedded mode: batches refused because the memory store was full. */
  refused: number
}

export interface Collector {
  /** Connects, joins the consumer group, starts reading and (with `port`) serving HTTP. */
  start(): Promise<void>
  /** Feeds records straight into this collector's aggregation: for `createTelltale({ transports: [collector.transport] })`. */
  readonly transport: Transport
  /** `http://host:port` once started with a port, else null. */
  readonly url: string | null
  readonly query: Query
  /** The Prometheus text `/metrics` serves. */
  metrics(): Promise<string>
  stats(): CollectorStats
  /** Stops reading (entries in progress are finished and acked), stops HTTP, disconnects. */
  close(): Promise<void>
}

/**
 * The pipeline's other end: reads the stream as one consumer of a group, stores exact
 * rollups (in Redis, or in memory when embedded) and answers queries about them.
 */
export function createCollector(options?: CollectorOptions): Collector {
  const opts = resolveCollectorOptions(options)
  const isRedis = opts.store === 'redis'
  const settings = {
    prefix: opts.prefix,
    minuteRetentionMs: opts.minuteRetentionMs,
    hourRetentionMs: opts.hourRetentionMs,
    maxTraces: opts.maxTraces,
    maxRawEvents: opts.maxRawEvents,
  }
  const rollup = new Rollup(settings)
  const describe = (err: unknown) => describeError(err, isRedis ? opts.redis : null)
  let client: Redis | null = null
  let reader: Redis | null = null
  let store: Store
  if (isRedis) {
    const make = () => {
      const c = new Redis(opts.redis, { lazyConnect: true, maxRetriesPerRequest: 2, retryStrategy: (n: number) => Math.min(100 * 2 ** Math.min(n, 6), 3_000) })
      c.on('error', (err: unknown) => opts.onError(`redis: ${describe(err)}`))
      return c
    }
    client = make()
    // Blocking reads get their own connection so queries and writes are never stuck behind them.
    reader = make()
    store = new RedisStore(client)
  } else {
    store = new MemoryStore(opts.maxKeys)
  }
  const processor = new Processor(
    store,
    rollup,
    isRedis ? { stream: opts.stream, group: opts.group } : null,
    { stream: isRedis ? opts.deadLetterStream : null, maxLen: opts.deadLetterMaxLen },
    opts.maxEntryBytes,
  )
  // Batches are stored through the command connection, so a blocking read never delays them.
  const streamProcessor =
    reader === null || client === null ? null : new Processor(store, rollup, { stream: opts.stream, group: opts.group }, { stream: opts.deadLetterStream, maxLen: opts.deadLetterMaxLen }, opts.maxEntryBytes)
  const consumer =
    reader === null || streamProcessor === null
      ? null
      : new StreamConsumer(
          reader,
          { stream: opts.stream, group: opts.group, consumer: opts.consumer, batchSize: opts.batchSize, blockMs: opts.blockMs, claimIdleMs: opts.claimIdleMs, claimIntervalMs: opts.claimIntervalMs },
          streamProcessor,
          describe,
          opts.onError,
        )
  const query = new Query(store, rollup, settings)
  let server: Server | null = null
  let url: string | null = null
  let refused = 0
  let started: Promise<void> | null = null
  let closed = false

  const stats = (): CollectorStats => {
    const processed = streamProcessor === null ? processor.stats : mergeStats(processor.stats, streamProcessor.stats)
    return {
      store: opts.store,
      redis: isRedis ? redactUrl(opts.redis) : null,
      consumer: isRedis ? opts.consumer : null,
      processed,
      stream: consumer === null ? null : { ...consumer.stats },
      refused,
    }
  }

  const totals = () => (isRedis ? query.collectorTotals() : Promise.resolve(flatTotals(processor.stats)))

  async function doStart(): Promise<void> {
    if (client !== null && reader !== null && consumer !== null) {
      await Promise.all([client.connect(), reader.connect()])
      await consumer.ensureGroup()
      consumer.start()
    }
    if (opts.port !== null) {
      const s = createHttpServer({ query, token: opts.token, collectorTotals: totals, localStats: stats, onError: (err) => opts.onError(`http: ${describe(err)}`) })
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject)
        s.listen(opts.port!, opts.host, () => {
          s.off('error', reject)
          resolve()
        })
      })
      server = s
      const addr = s.address() as AddressInfo
      url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`
    }
  }

  return {
    start() {
      if (closed) return Promise.reject(new Error('@telltale/collector: start() after close()'))
      started ??= doStart()
      return started
    },
    get url() {
      return url
    },
    query,
    transport: {
      name: 'collector',
      async send(records) {
        try {
          await processor.processRecords(records)
        } catch (err) {
          if (err instanceof StoreFullError) {
            refused++
            throw new TransportDropError('collector_full', err.message)
          }
          // No `cause`: the original error may quote the connection string, password included.
          // eslint-disable-next-line preserve-caught-error
          throw new Error(`@telltale/collector: ${describe(err)}`)
        }
      },
    },
    metrics: async () => renderMetrics(query, await totals()),
    stats,
    async close() {
      if (closed) return
      closed = true
      await started?.catch(() => {})
      await consumer?.stop()
      if (server !== null) {
        const s = server
        await new Promise<void>((resolve) => {
          s.close(() => resolve())
          s.closeAllConnections()
        })
      }
      await store.close()
      for (const c of [reader, client]) {
        if (c === null) continue
        await c.quit().catch(() => {})
        c.disconnect()
      }
    },
  }
}

function mergeStats(a: ProcessorStats, b: ProcessorStats): ProcessorStats {
  const deadLettered = { ...a.deadLettered }
  for (const [k, v] of Object.entries(b.deadLettered)) deadLettered[k] = (deadLettered[k] ?? 0) + v
  return {
    entries: a.entries + b.entries,
    windows: a.windows + b.windows,
    duplicates: a.duplicates + b.duplicates,
    errors: a.errors + b.errors,
    traces: a.traces + b.traces,
    events: a.events + b.events,
    deadLettered,
  }
}

function flatTotals(s: ProcessorStats): Record<string, number> {
  const out: Record<string, number> = { entries: s.entries, windows_applied: s.windows, windows_duplicate: s.duplicates }
  let dead = 0
  for (const [k, v] of Object.entries(s.deadLettered)) {
    out[`dead:${k}`] = v
    dead += v
  }
  out.dead_lettered = dead
  return out
}
