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

export const CALLS_PER_REQUEST = 20

/**
 * One burst of `ms`: `inFlight` workers each run requests of CALLS_PER_REQUEST sequential
 * calls, every request in a scope of `telltale` named `route`, as an app would. Returns the
 * calls made and the calls per CPU-second of this process (CPU-bound with 16 in flight).
 */
export async function burst({ call, telltale, route, ms, inFlight }) {
  const until = performance.now() + ms
  const cpu0 = process.cpuUsage()
  const batch = async () => {
    for (let i = 0; i < CALLS_PER_REQUEST; i++) await call()
  }
  const counts = await Promise.all(
    Array.from({ length: inFlight }, async () => {
      let ops = 0
      while (performance.now() < until) {
        const scope = telltale.startRequest({ method: 'GET', path: route })
        scope.setRoute(route)
        await scope.run(batch)
        scope.end(200)
        ops += CALLS_PER_REQUEST
      }
      return ops
    }),
  )
  const cpu = process.cpuUsage(cpu0)
  const ops = counts.reduce((a, b) => a + b, 0)
  return { ops, perCpuSecond: (ops * 1e6) / (cpu.user + cpu.system) }
}
