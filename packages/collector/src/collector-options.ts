import { hostname } from 'node:os'

export interface CollectorOptions {
  /** `redis`: read the stream, keep rollups in Redis. `memory`: embedded, fed by `collector.transport`. Default: `redis`. */
  store?: 'redis' | 'memory'
  /** Redis URL (`redis://`, `rediss://`, password allowed). Default: `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  redis?: string
  /** Stream the apps' `redisTransport` writes to. Default: `telltale:records`. */
  stream?: string
  /** Consumer group shared by all collectors. Default: `telltale`. */
  group?: string
  /** This collector's name in the group; keep it stable across restarts. Default: `<hostname>-<pid>`. */
  consumer?: string
  /** Prefix of every rollup key. Default: `telltale`. */
  prefix?: string
  /** HTTP port; `undefined` starts no server, `0` picks a free port. Default: none. */
  port?: number
  /** HTTP address. Default: `127.0.0.1` (local only). */
  host?: string
  /** Bearer token the HTTP API requires. Default: none. */
  token?: string
  /** Entries per read. Default: 500. */
  batchSize?: number
  /** How long a read waits for new entries. Default: 1 000. */
  blockMs?: number
  /** Entries another collector left pending this long are taken over. Default: 30 000. */
  claimIdleMs?: number
  /** How often to look for such entries. Default: 5 000. */
  claimIntervalMs?: number
  /** Per-minute rollups are kept this long (ranges up to 6 h within it are answered per minute). Default: 6 h. */
  minuteRetentionMs?: number
  /** Per-hour rollups (and window ids) are kept this long. Default: 30 days. */
  hourRetentionMs?: number
  /** Traces kept per service. Default: 1 000. */
  maxTraces?: number
  /** Raw `event` records kept per service. Default: 1 000. */
  maxRawEvents?: number
  /** Malformed entries go here. Default: `<stream>:dead`. */
  deadLetterStream?: string
  /** Approximate bound of the dead-letter stream. Default: 10 000. */
  deadLetterMaxLen?: number
  /** Bigger entries are dead-lettered. Default: 4 MiB. */
  maxEntryBytes?: number
  /** Keys the memory store may hold (embedded mode). Default: 200 000. */
  maxKeys?: number
  /** The collector's own failures (Redis unreachable, ...), credentials removed. Default: a line on stderr, at most one per 10 s. */
  onError?: (message: string) => void
}

export interface ResolvedCollectorOptions extends Required<Omit<CollectorOptions, 'port' | 'token' | 'onError'>> {
  port: number | null
  token: string | null
  onError: (message: string) => void
}

const PKG = '@telltale/collector'
const HOUR = 3_600_000

function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)
  if (v === null || typeof v !== 'object') return String(v)
  return Array.isArray(v) ? 'an array' : 'an object'
}

const fail = (name: string, v: unknown, accepted: string) => new TypeError(`${PKG}: option "${name}" must be ${accepted}; received ${shown(v)}`)

function int(o: Record<string, unknown>, name: string, def: number, min: number, max: number): number {
  const v = o[name]
  if (v === undefined) return def
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw fail(name, v, `an integer from ${min} to ${max}`)
  return v
}

function str(o: Record<string, unknown>, name: string, def: string): string {
  const v = o[name]
  if (v === undefined) return def
  if (typeof v !== 'string' || v === '' || v.length > 512) throw fail(name, v, 'a non-empty string of at most 512 characters')
  return v
}

function rateLimitedStderr(): (message: string) => void {
  let last = 0
  return (message) => {
    const now = Date.now()
    if (now - last < 10_000) return
    last = now
    process.stderr.write(`[telltale-collector] ${message}\n`)
  }
}

const KEYS = [
  'store', 'redis', 'stream', 'group', 'consumer', 'prefix', 'port', 'host', 'token', 'batchSize', 'blockMs', 'claimIdleMs', 'claimIntervalMs',
  'minuteRetentionMs', 'hourRetentionMs', 'maxTraces', 'maxRawEvents', 'deadLetterStream', 'deadLetterMaxLen', 'maxEntryBytes', 'maxKeys', 'onError',
]

export function resolveCollectorOptions(input: unknown, env: NodeJS.ProcessEnv = process.env): ResolvedCollectorOptions {
  if (input === undefined) input = {}
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError(`${PKG}: createCollector(options) expects an object; received ${shown(input)}`)
  const o = input as Record<string, unknown>
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new TypeError(`${PKG}: unknown option "${k}"; accepted options are ${KEYS.join(', ')}`)
  const store = o.store ?? 'redis'
  if (store !== 'redis' && store !== 'memory') throw fail('store', store, '"redis" or "memory"')
  const redis = o.redis ?? (env.REDIS_URL || 'redis://127.0.0.1:6379')
  let okUrl = typeof redis === 'string'
  if (okUrl) {
    try {
      okUrl = ['redis:', 'rediss:'].includes(new URL(redis as string).protocol)
    } catch {
      okUrl = false
    }
  }
  // Never echo the URL: it may carry a password.
  if (!okUrl) throw fail('redis', typeof redis === 'string' ? '<a string that is not a redis:// or rediss:// URL>' : redis, 'a redis:// or rediss:// URL')
  const port = o.port === undefined ? null : int(o, 'port', 0, 0, 65_535)
  const token = o.token === undefined ? null : o.token
  if (token !== null && (typeof token !== 'string' || token.length < 8 || token.length > 1024 || /\s/.test(token))) {
    throw new TypeError(`${PKG}: option "token" must be a string of 8 to 1024 characters without spaces; received ${typeof token === 'string' ? `a string of ${token.length} characters` : shown(token)}`)
  }
  const onError = o.onError ?? rateLimitedStderr()
  if (typeof onError !== 'function') throw fail('onError', onError, 'a function (message) => void')
  const stream = str(o, 'stream', 'telltale:records')
  const minuteRetentionMs = int(o, 'minuteRetentionMs', 6 * HOUR, 60_000, 90 * 24 * HOUR)
  const hourRetentionMs = int(o, 'hourRetentionMs', 30 * 24 * HOUR, HOUR, 3650 * 24 * HOUR)
  if (hourRetentionMs < minuteRetentionMs) throw fail('hourRetentionMs', hourRetentionMs, `at least minuteRetentionMs (${minuteRetentionMs})`)
  return {
    store,
    redis: redis as string,
    stream,
    group: str(o, 'group', 'telltale'),
    consumer: str(o, 'consumer', `${hostname()}-${process.pid}`),
    prefix: str(o, 'prefix', 'telltale'),
    host: str(o, 'host', '127.0.0.1'),
    port,
    token: token as string | null,
    batchSize: int(o, 'batchSize', 500, 1, 10_000),
    blockMs: int(o, 'blockMs', 1_000, 1, 60_000),
    claimIdleMs: int(o, 'claimIdleMs', 30_000, 100, 24 * HOUR),
    claimIntervalMs: int(o, 'claimIntervalMs', 5_000, 100, HOUR),
    minuteRetentionMs,
    hourRetentionMs,
    maxTraces: int(o, 'maxTraces', 1_000, 1, 1_000_000),
    maxRawEvents: int(o, 'maxRawEvents', 1_000, 1, 1_000_000),
    deadLetterStream: str(o, 'deadLetterStream', `${stream}:dead`),
    deadLetterMaxLen: int(o, 'deadLetterMaxLen', 10_000, 1, 100_000_000),
    maxEntryBytes: int(o, 'maxEntryBytes', 4 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    maxKeys: int(o, 'maxKeys', 200_000, 100, 100_000_000),
    onError: onError as (message: string) => void,
  }
}
