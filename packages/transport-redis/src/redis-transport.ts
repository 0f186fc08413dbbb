import { redactUrl, scrubUrlSecrets } from '@telltale/core'
import type { TelltaleRecord, Transport } from '@telltale/core'
import { Redis } from 'ioredis'
import { ioredisSink, isIoredis, nodeRedisSink, type CommandSink } from './client.js'
import { resolveTransportOptions, type RedisTransportOptions } from './options.js'

export interface RedisTransport extends Transport {
  /** Where records go, with any password replaced by `***`. */
  readonly target: string
}

/**
 * Sends each batch as one pipeline: `XADD key MAXLEN ~ n * type <type> record <json>` per
 * record (or `LPUSH` + `LTRIM` in list mode). It never waits on a Redis that is down: a
 * send fails at once (or after `connectTimeoutMs` at start) and the core's bounded queue
 * retries with backoff, so the app is neither slowed nor grown without bound.
 */
export function redisTransport(options: RedisTransportOptions): RedisTransport {
  const opts = resolveTransportOptions(options)
  let owned: Redis | null = null
  let sink: CommandSink
  let target: string
  if (opts.url !== undefined) {
    owned = new Redis(opts.url, {
      lazyConnect: false,
      // A command while disconnected fails at once instead of piling up in ioredis' unbounded offline queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 5_000,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
      ...opts.redisOptions,
    })
    // Without a listener ioredis prints every connection error; the core's stats carry them instead.
    owned.on('error', () => {})
    sink = ioredisSink(owned as never)
    target = redactUrl(opts.url)
  } else {
    sink = isIoredis(opts.client) ? ioredisSink(opts.client) : nodeRedisSink(opts.client as never)
    target = 'a client you passed'
  }
  const { key, mode } = opts
  const maxLen = String(opts.maxLen)
  const trimTo = String(opts.maxLen - 1)
  let closed = false

  const commandsFor = (records: TelltaleRecord[]): string[][] => {
    if (mode === 'stream') {
      return records.map((r) => ['xadd', key, 'MAXLEN', '~', maxLen, '*', 'type', r.type, 'record', JSON.stringify(r)])
    }
    // Newest first at the head, as the list design's consumers expect (they RPOP or BRPOP).
    return [['lpush', key, ...records.map((r) => JSON.stringify(r))], ['ltrim', key, '0', trimTo]]
  }

  return {
    name: opts.name,
    target,
    async send(records) {
      if (closed) throw new Error('@telltale/transport-redis: transport closed')
      if (records.length === 0) return
      if (!sink.ready() && !(await sink.waitReady(opts.connectTimeoutMs))) {
        throw new Error(`@telltale/transport-redis: not connected to ${target}`)
      }
      try {
        await sink.pipeline(commandsFor(records))
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        // No `cause`: the original error may quote the connection string, password included.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(`@telltale/transport-redis: ${scrubUrlSecrets(message, opts.url)}`)
      }
    },
    async close() {
      closed = true
      if (owned === null) return
      const client = owned
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        client.quit().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 1_000)
          timer.unref()
        }),
      ])
      clearTimeout(timer)
      client.disconnect()
    },
  }
}
