// What every bench/frameworks server shares: the pg pool and Redis client behind GET /db,
// instrumented (with a Telltale instance on the memory transport) in the telltale variant.
// INSTRUMENT_PG=0 / INSTRUMENT_REDIS=0 leave a client uninstrumented, to split the cost of
// the request scope from that of timing each call (bench/instructions); ioredis 6 is then
// still timed through its tracing channel unless CHANNELS='{"ioredis":false}'.
import { Redis } from 'ioredis'
import pg from 'pg'

export async function backends({ withTelltale, keyPrefix }) {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const key = `${keyPrefix}_${process.pid}`
  let telltale
  let pool = new pg.Pool({ connectionString: databaseUrl, max: 10 })
  let redis = new Redis(redisUrl)
  if (withTelltale) {
    const { createTelltale, instrument, memoryTransport } = await import('../../packages/core/dist/index.mjs')
    // FLUSH_MS: bench/instructions runs the server ~50× slower under valgrind, where the
    // default 10 s window would seal every few hundred requests instead of every million.
    telltale = createTelltale({ service: 'bench', transports: [memoryTransport({ maxRecords: 100 })], flushIntervalMs: Number(process.env.FLUSH_MS ?? 10_000), ...channelsOption() })
    if (process.env.INSTRUMENT_PG !== '0') pool = instrument(pool)
    if (process.env.INSTRUMENT_REDIS !== '0') redis = instrument(redis)
  }
  await redis.set(key, 'value', 'EX', 600)
  process.once('exit', () => redis.disconnect())
  /** GET /db's work: one query, one GET. */
  const db = async () => {
    const { rows } = await pool.query('SELECT $1::int AS n', [1])
    const value = await redis.get(key)
    return `${rows[0].n}${value}`
  }
  return { telltale, db }
}

/** CHANNELS='{"ioredis":false}' (JSON): the `channels` option, to measure a subscriber's cost. */
function channelsOption() {
  return process.env.CHANNELS === undefined ? {} : { channels: JSON.parse(process.env.CHANNELS) }
}
