// The clients and the call bench/instrument measures, shared by interleave.mjs and compare.mjs.
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../packages/core/package.json', import.meta.url))
const KEY = 'tt:bench:instrument'

/**
 * A new client of `kind` (its own pool or connection) and the call measured on it: a pg
 * `SELECT $1` through `pool.query()`, or an ioredis `GET` of a short string.
 */
export function makeClient(kind, inFlight) {
  if (kind === 'pg') {
    const pg = require('pg')
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: inFlight })
    return { target: pool, call: () => pool.query('SELECT $1::int AS n', [1]), close: () => pool.end() }
  }
  const Redis = require('ioredis')
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  return { target: redis, call: () => redis.get(KEY), close: () => redis.quit() }
}

/** Stores the value the GETs read (ioredis only). */
export async function prepare(kind, c) {
  if (kind === 'ioredis') await c.target.set(KEY, 'value')
}
