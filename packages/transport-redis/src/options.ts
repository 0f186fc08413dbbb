import { describeValue } from './describe-value.js'
import { isIoredis, isNodeRedis } from './client.js'

export interface RedisTransportOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` (TLS). An ioredis client is created and owned by the transport. */
  url?: string
  /** Your own connected ioredis (5, 6) or node-redis (4, 5) client instead of `url`; the transport never closes it. */
  client?: unknown
  /** `stream`: `XADD` to a stream read by `@telltale/collector`. `list`: `LPUSH` for the simple list design. Default: `stream`. */
  mode?: 'stream' | 'list'
  /** Stream or list key. Default: `telltale:records` (stream), `telltale:list` (list). */
  key?: string
  /** Entries kept when nobody reads: `MAXLEN ~` for a stream, `LTRIM` for a list. Default: 100 000. */
  maxLen?: number
  /** How long a send waits for the first connection before failing (the core then retries). Default: 2 000. */
  connectTimeoutMs?: number
  /** Extra ioredis options for the client made from `url` (TLS certificates, `family`, ...). */
  redisOptions?: Record<string, unknown>
  /** Transport name in `telltale.stats()`. Default: `redis`. */
  name?: string
}

export interface ResolvedTransportOptions {
  url: string | undefined
  client: unknown
  mode: 'stream' | 'list'
  key: string
  maxLen: number
  connectTimeoutMs: number
  redisOptions: Record<string, unknown>
  name: string
}

const PKG = '@telltale/transport-redis'
const ACCEPTED = ['url', 'client', 'mode', 'key', 'maxLen', 'connectTimeoutMs', 'redisOptions', 'name']

function fail(name: string, value: unknown, accepted: string): TypeError {
  return new TypeError(`${PKG}: option "${name}" must be ${accepted}; received ${describeValue(value)}`)
}

function int(name: string, value: unknown, def: number, min: number, max: number): number {
  if (value === undefined) return def
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw fail(name, value, `an integer between ${min} and ${max}`)
  }
  return value
}

export function resolveTransportOptions(input: unknown): ResolvedTransportOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`${PKG}: redisTransport(options) expects an object with "url" or "client"; received ${describeValue(input)}`)
  }
  const o = input as Record<string, unknown>
  for (const k of Object.keys(o)) {
    if (!ACCEPTED.includes(k)) throw new TypeError(`${PKG}: unknown option "${k}"; accepted options are ${ACCEPTED.join(', ')}`)
  }
  const { url, client } = o
  if (url !== undefined && client !== undefined) throw new TypeError(`${PKG}: pass either "url" or "client", not both`)
  if (url === undefined && client === undefined) {
    throw new TypeError(`${PKG}: option "url" (a redis:// or rediss:// URL) or "client" (an ioredis or node-redis client) is required; received neither`)
  }
  if (url !== undefined) {
    // The URL itself is never echoed: it may carry a password.
    let ok = typeof url === 'string'
    if (ok) {
      try {
        const p = new URL(url as string).protocol
        ok = p === 'redis:' || p === 'rediss:'
      } catch {
        ok = false
      }
    }
    if (!ok) throw fail('url', typeof url === 'string' ? '<a string that is not a redis:// or rediss:// URL>' : url, 'a redis:// or rediss:// URL')
  }
  if (client !== undefined && !isIoredis(client) && !isNodeRedis(client)) {
    throw fail('client', client, 'an ioredis client (has pipeline() and status) or a node-redis v4/v5 client (has sendCommand() and isOpen)')
  }
  const mode = o.mode ?? 'stream'
  if (mode !== 'stream' && mode !== 'list') throw fail('mode', mode, '"stream" or "list"')
  const key = o.key ?? (mode === 'stream' ? 'telltale:records' : 'telltale:list')
  if (typeof key !== 'string' || key === '' || key.length > 512) throw fail('key', key, 'a non-empty string of at most 512 characters')
  const name = o.name ?? 'redis'
  if (typeof name !== 'string' || name === '') throw fail('name', name, 'a non-empty string')
  const redisOptions = o.redisOptions ?? {}
  if (typeof redisOptions !== 'object' || redisOptions === null || Array.isArray(redisOptions)) throw fail('redisOptions', redisOptions, 'an object of ioredis options')
  if (client !== undefined && o.redisOptions !== undefined) throw new TypeError(`${PKG}: "redisOptions" applies only with "url"; configure your own client directly`)
  return {
    url: url as string | undefined,
    client,
    mode,
    key,
    name,
    maxLen: int('maxLen', o.maxLen, 100_000, 1, 1_000_000_000),
    connectTimeoutMs: int('connectTimeoutMs', o.connectTimeoutMs, 2_000, 0, 600_000),
    redisOptions: redisOptions as Record<string, unknown>,
  }
}
